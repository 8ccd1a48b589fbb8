import type { Rng } from "@mle/core";
import { tf } from "../backend.ts";
import { hasNativeOps, statelessUniform } from "../native-ops.ts";

/** x·W + b over the last axis (x: [..., in], W: [in, out]). */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D;
  let y: tf.Tensor = tf.matMul(flat, w);
  if (b) y = tf.add(y, b);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]);
}

/**
 * Layer normalisation over the last axis, with gain and bias. Its gradient is written out (dx = r·(ĝ − mean ĝ −
 * x̂·mean(ĝ·x̂)) with ĝ = dy·γ, r = 1/σ): fewer kernels than autodiff through the moments.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, g, b] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    const centred = tf.sub(xx, tf.mean(xx, -1, true));
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
    const xhat = tf.mul(centred, r);
    (args[3] as tf.GradSaveFunc)([xhat, r, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rr, gg] = saved;
        const lead = Array.from({ length: dy.rank - 1 }, (_, k) => k);
        const gh = tf.mul(dy, gg);
        const dx = tf.mul(rr, tf.sub(tf.sub(gh, tf.mean(gh, -1, true)), tf.mul(xh, tf.mean(tf.mul(gh, xh), -1, true))));
        return [dx, tf.sum(tf.mul(dy, xh), lead), tf.sum(dy, lead)];
      },
    };
  });
  return op(x, gamma, beta);
}

/**
 * Inverted dropout keyed by the run's generator (identity when rate is 0 or not training). On the native backend
 * the mask comes from TensorFlow's seeded stateless generator (two words of ours per call: a mask of 400k values
 * costs a fraction of a millisecond instead of drawing each in JS); elsewhere from `dropoutMask`.
 */
export function dropout(x: tf.Tensor, rate: number, rng: Rng | null): tf.Tensor {
  if (!rng || rate <= 0) return x;
  if (!hasNativeOps()) return tf.mul(x, tf.tensor(dropoutMask(x.size, rate, rng), x.shape));
  const keep = tf.floor(tf.add(statelessUniform(x.shape, [rng.nextUint32(), rng.nextUint32()]), 1 - rate));
  return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
}

/** An additive attention mask [L, L]: 0 where position i may attend to j (j ≤ i), −1e9 above the diagonal. */
export function causalMask(length: number): tf.Tensor2D {
  const m = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) m[i * length + j] = -1e9;
  return tf.tensor2d(m, [length, length]);
}

export interface AttentionWeights {
  wq: tf.Tensor2D;
  wk: tf.Tensor2D;
  wv: tf.Tensor2D;
  wo: tf.Tensor2D;
  bq?: tf.Tensor1D;
  bk?: tf.Tensor1D;
  bv?: tf.Tensor1D;
  bo?: tf.Tensor1D;
}

/**
 * Multi-head scaled dot-product self-attention. x: [B, L, d]; `mask`: additive, broadcast to [B, heads, L, L]
 * (a causal [L, L] mask, a key-padding [B, 1, 1, L] mask, or their sum).
 */
export function selfAttention(x: tf.Tensor3D, w: AttentionWeights, heads: number, mask: tf.Tensor | null, rng: Rng | null = null, rate = 0): tf.Tensor3D {
  const [B, L, d] = x.shape;
  if (heads === 1) return singleHeadAttention(x, w, mask, rng, rate);
  const dh = d / heads;
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, L, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(dense(x, w.wq, w.bq));
  const k = split(dense(x, w.wk, w.bk));
  const v = split(dense(x, w.wv, w.bv));
  let scores: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh));
  if (mask) scores = tf.add(scores, mask);
  const attn = dropout(tf.softmax(scores, -1), rate, rng);
  const out = tf.reshape(tf.transpose(tf.matMul(attn as tf.Tensor4D, v), [0, 2, 1, 3]), [B, L, d]);
  return dense(out, w.wo, w.bo) as tf.Tensor3D;
}

/**
 * `selfAttention` with one head, on [B, L, d] as it is: the same values without the reshapes and transposes into
 * and out of heads (about 30 of a SASRec step's kernels). A mask with a heads axis ([B, 1, …, L]) loses it.
 */
function singleHeadAttention(x: tf.Tensor3D, w: AttentionWeights, mask: tf.Tensor | null, rng: Rng | null, rate: number): tf.Tensor3D {
  const q = dense(x, w.wq, w.bq) as tf.Tensor3D;
  const k = dense(x, w.wk, w.bk) as tf.Tensor3D;
  const v = dense(x, w.wv, w.bv) as tf.Tensor3D;
  let scores: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(x.shape[2]));
  if (mask) scores = tf.add(scores, mask.rank === 4 ? tf.squeeze(mask, [1]) : mask);
  const attn = dropout(tf.softmax(scores, -1), rate, rng);
  return dense(tf.matMul(attn as tf.Tensor3D, v), w.wo, w.bo) as tf.Tensor3D;
}

/** Rows of an embedding table; the gradient is the table's (a segment sum, native or our wasm kernel). */
export function embed(table: tf.Tensor2D, ids: Int32Array, shape?: number[]): tf.Tensor {
  const rows = tf.gather(table, tf.tensor1d(ids, "int32"));
  return shape ? tf.reshape(rows, [...shape, table.shape[1]]) : rows;
}

/** 1/(1 − rate) where a uniform draw (24 bits, one per value) is at least `rate`, else 0: one pass, no float draws. */
export function dropoutMask(n: number, rate: number, rng: Rng): Float32Array {
  const mask = new Float32Array(n);
  const keep = 1 / (1 - rate);
  const threshold = Math.ceil(rate * 16777216);
  for (let i = 0; i < n; i++) if (rng.nextUint32() >>> 8 >= threshold) mask[i] = keep;
  return mask;
}
