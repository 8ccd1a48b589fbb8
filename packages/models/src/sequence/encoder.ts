import type { EmbeddingModel, History, Rng } from "@mle/core";
import { Params, causalMask, dense, dropout, layerNorm, selfAttention, take, tf, type AttentionWeights } from "../engine/nn/index.ts";
import type { EncoderConfig } from "./config.ts";

/** The weights: item table (`rows`: the items, then padding and, for BERT4Rec, the mask), positions, per block attention and feed-forward with layer norms. */
export function initParams(p: Params, rows: number, c: EncoderConfig): void {
  p.add("item", [rows, c.factors], { kind: "glorot" });
  p.add("pos", [c.maxLength, c.factors], { kind: "glorot" });
  initBlocks(p, c);
}

/** The attention blocks and the final layer norm. */
export function initBlocks(p: Params, c: EncoderConfig): void {
  const d = c.factors;
  const norm = (n: string) => (p.add(`${n}g`, [d], { kind: "ones" }), p.add(`${n}b`, [d], { kind: "zeros" }));
  for (let b = 0; b < c.blocks; b++) {
    norm(`b${b}/ln1`), norm(`b${b}/ln2`);
    // PyTorch's defaults, which the SASRec reference implementations inherit: the q, k, v projections Xavier over
    // their joint [3d, d] matrix, zero biases; the output and feed-forward weights (and the feed-forward biases) U(±1/√d).
    for (const w of ["wq", "wk", "wv"]) (p.add(`b${b}/${w}`, [d, d], { kind: "uniform", scale: Math.sqrt(6 / (4 * d)) }), p.add(`b${b}/${w}b`, [d], { kind: "zeros" }));
    p.add(`b${b}/wo`, [d, d], { kind: "uniform", scale: 1 / Math.sqrt(d) });
    p.add(`b${b}/wob`, [d], { kind: "zeros" });
    for (const w of ["f1", "f2"]) (p.add(`b${b}/${w}`, [d, d], { kind: "uniform", scale: 1 / Math.sqrt(d) }), p.add(`b${b}/${w}b`, [d], { kind: "uniform", scale: 1 / Math.sqrt(d) }));
  }
  norm("lnF");
}

/**
 * The encoder over left-padded sequences [B, L] (item ids, I = padding): item embeddings × √d plus learned
 * positions, dropout, then pre-layer-norm blocks — self-attention that never sees a padded position (nor, when
 * `causal`, a later one), a ReLU feed-forward, residuals, padded positions zeroed — and a final layer norm: [B, L, d].
 */
export function encode(p: Params, c: EncoderConfig, nItems: number, seqs: Int32Array, B: number, rng: Rng | null, causal = true): tf.Tensor3D {
  const ids = tf.tensor2d(seqs, [B, c.maxLength], "int32");
  const keep = tf.reshape(tf.cast(tf.notEqual(ids, nItems), "float32"), [B, c.maxLength, 1]) as tf.Tensor3D;
  const x = tf.add(tf.mul(tf.gather(p.get("item"), ids), Math.sqrt(c.factors)), p.get("pos")) as tf.Tensor3D;
  return encodeTokens(p, c, x, keep, rng, causal);
}

/** The blocks over embedded tokens x [B, L, d] with `keep` [B, L, 1] (1 for a real token, 0 for padding). */
export function encodeTokens(p: Params, c: EncoderConfig, tokens: tf.Tensor3D, keep: tf.Tensor3D, rng: Rng | null, causal: boolean): tf.Tensor3D {
  const [B, L] = tokens.shape;
  const w = (k: string) => p.get(k) as tf.Tensor2D;
  const v = (k: string) => p.get(k) as tf.Tensor1D;
  let x = tf.mul(dropout(tokens, c.dropout, rng), keep) as tf.Tensor3D;
  const padKeys = tf.mul(tf.sub(1, tf.reshape(keep, [B, 1, 1, L])), -1e9);
  const mask = causal ? tf.add(causalMask(L), padKeys) : padKeys;
  for (let b = 0; b < c.blocks; b++) {
    const k = (n: string) => `b${b}/${n}`;
    const att: AttentionWeights = { wq: w(k("wq")), wk: w(k("wk")), wv: w(k("wv")), wo: w(k("wo")), bq: v(k("wqb")), bk: v(k("wkb")), bv: v(k("wvb")), bo: v(k("wob")) };
    x = tf.add(x, dropout(selfAttention(layerNorm(x, v(k("ln1g")), v(k("ln1b"))) as tf.Tensor3D, att, c.heads, mask, rng, c.dropout), c.dropout, rng)) as tf.Tensor3D;
    const h = layerNorm(x, v(k("ln2g")), v(k("ln2b")));
    const f = dense(dropout(tf.relu(dense(h, w(k("f1")), v(k("f1b")))), c.dropout, rng), w(k("f2")), v(k("f2b")));
    x = tf.mul(tf.add(x, dropout(f, c.dropout, rng)), keep) as tf.Tensor3D;
  }
  return layerNorm(x, v("lnFg"), v("lnFb")) as tf.Tensor3D;
}

/** The last `L` items of a time-ordered list, left-padded with the padding id. */
export function leftPadded(items: ArrayLike<number>, L: number, pad: number, out: Int32Array, at: number): void {
  const n = Math.min(L, items.length);
  out.fill(pad, at, at + L - n);
  for (let k = 0; k < n; k++) out[at + L - n + k] = items[items.length - n + k];
}

/**
 * (user, end) of every training window: `span` + 1 items ending at `end`, stepping back `span` at a time (so
 * consecutive windows overlap by one item and every transition is a target exactly once); only the latest
 * window per user with `last`.
 */
export function trainingWindows(offsets: Uint32Array, span: number, mode: "all" | "last"): [number, number][] {
  const windows: [number, number][] = [];
  for (let u = 0; u + 1 < offsets.length; u++) {
    for (let end = offsets[u + 1] - offsets[u]; end >= 2; end -= span) {
      windows.push([u, end]);
      if (mode === "last") break;
    }
  }
  return windows;
}

/** A history's positions in time order (by timestamp when given, ties as listed), or null when it is already (no timestamps). */
export function timeOrder(h: History): number[] | null {
  const t = h.timestamps;
  return t ? Array.from(h.items.keys()).sort((a, b) => t[a] - t[b] || a - b) : null;
}

/** A history's items in time order (see `timeOrder`). */
export function timeOrdered(h: History): Int32Array {
  const order = timeOrder(h);
  return order ? Int32Array.from(order, (k) => h.items[k]) : h.items;
}

/**
 * An encoder's embedding space: items are the tied embeddings (rows 0..I−1), a user the output at the last
 * position of their time-ordered history (its last L items; with `mask`, the last L − 1 and the mask token after
 * them, BERT4Rec's query), in batches of 256.
 */
export function encoderModel(p: Params, c: EncoderConfig, nItems: number, name: string, mask: number | null): EmbeddingModel {
  const L = c.maxLength;
  const itemVectors = take(() => tf.slice(p.get("item"), [0, 0], [nItems, c.factors]));
  const userVectors = (hs: History[]): Float32Array[] => {
    const out: Float32Array[] = [];
    for (let a = 0; a < hs.length; a += 256) {
      const block = hs.slice(a, a + 256);
      const seqs = new Int32Array(block.length * L);
      block.forEach((h, k) => {
        if (mask === null) return leftPadded(timeOrdered(h), L, nItems, seqs, k * L);
        leftPadded(timeOrdered(h), L - 1, nItems, seqs, k * L);
        seqs[k * L + L - 1] = mask;
      });
      const last = take(() => tf.reshape(tf.slice(encode(p, c, nItems, seqs, block.length, null, mask === null), [0, L - 1, 0], [block.length, 1, c.factors]), [block.length * c.factors]));
      block.forEach((_, k) => out.push(last.slice(k * c.factors, (k + 1) * c.factors)));
    }
    return out;
  };
  return { name, dim: c.factors, nItems, similarity: "dot", itemVectors, userVector: (h) => userVectors([h])[0], userVectors };
}
