import type { Rng } from "@mle/core";
import { tf } from "../backend.ts";

/** x·W + b over the last axis (x: [..., in], W: [in, out]). */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D;
  let y: tf.Tensor = tf.matMul(flat, w);
  if (b) y = tf.add(y, b);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]);
}

/** Layer normalisation over the last axis, with gain and bias. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
}

/** Inverted dropout with a mask drawn from the run's generator (identity when rate is 0 or not training). */
export function dropout(x: tf.Tensor, rate: number, rng: Rng | null): tf.Tensor {
  if (!rng || rate <= 0) return x;
  return tf.mul(x, tf.tensor(dropoutMask(x.size, rate, rng), x.shape));
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
