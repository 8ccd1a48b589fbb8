import { isSparse, type UserVector } from "@mle/core";
import { tf } from "./backend.ts";
import { hasNativeOps, nativeOp } from "./native-ops.ts";

interface Space {
  dim: number;
  nItems: number;
  factors: Float32Array;
}

/**
 * Block scoring as one TensorFlow.js matMul (users × d by d × items). Sparse user vectors (EASE's history
 * rows) keep the JS path, which only touches the rows their history names. The factor matrix is uploaded
 * once per space. On the native backend it also ranks where the scores are (`rank`): the excluded items
 * masked, TensorFlow's TopKV2 (equal scores: the lower index first, the evaluator's rule), and the
 * full-ranking MRR by counting the items above each user's best relevant one — only the top-K leaves.
 */
export function tfBlockScorer(fallback: (space: Space, vectors: UserVector[], out: Float32Array) => void) {
  const uploaded = new Map<Space, tf.Tensor2D>();
  const factorsOf = (space: Space) => {
    let w = uploaded.get(space);
    if (!w) {
      w = tf.tensor2d(space.factors, [space.dim, space.nItems]);
      uploaded.set(space, w);
    }
    return w;
  };
  const userMatrix = (space: Space, vectors: UserVector[]) => {
    const u = new Float32Array(vectors.length * space.dim);
    vectors.forEach((v, b) => u.set(v as Float32Array, b * space.dim));
    return tf.tensor2d(u, [vectors.length, space.dim]);
  };
  const score = (space: Space, vectors: UserVector[], out: Float32Array): void => {
    if (vectors.some(isSparse)) return fallback(space, vectors, out);
    const w = factorsOf(space);
    const scores = tf.tidy(() => tf.matMul(userMatrix(space, vectors), w));
    out.set(scores.dataSync() as Float32Array);
    scores.dispose();
  };
  const rank = (space: Space, vectors: UserVector[], exclude: { offsets: Uint32Array; items: Int32Array }, kMax: number, relevant: number[][], candidates?: Uint8Array) => {
    if (!hasNativeOps() || vectors.some(isSparse)) return null;
    const n = space.nItems;
    const b = vectors.length;
    const k = Math.min(kMax, n);
    // The excluded (user, item) pairs, set to −∞ by a scatter: O(history), not O(users × items).
    const pairs = new Int32Array(2 * (exclude.offsets[b] - exclude.offsets[0]));
    for (let u = 0, p = 0; u < b; u++) for (let j = exclude.offsets[u]; j < exclude.offsets[u + 1]; j++) (pairs[p++] = u), (pairs[p++] = exclude.items[j]);
    const w = factorsOf(space);
    const box: { ranked: { top: Int32Array; lengths: Int32Array; mrr: Float64Array } | null } = { ranked: null };
    // tidy returns nothing: handing it typed arrays makes it walk every element looking for tensors.
    tf.tidy(() => {
      const product = tf.matMul(userMatrix(space, vectors), w) as tf.Tensor2D;
      // Items that are not candidates: −∞ for every user, one broadcast row instead of a pair per user and item.
      const raw = candidates ? (tf.add(product, tf.tensor2d(Float32Array.from(candidates, (c) => (c ? 0 : -Infinity)), [1, n])) as tf.Tensor2D) : product;
      const m = pairs.length / 2;
      const s = m ? (tf.tensorScatterUpdate(raw, tf.tensor2d(pairs, [m, 2], "int32"), tf.fill([m], -Infinity)) as tf.Tensor2D) : raw;
      const [values, indices] = nativeOp("TopKV2", [s, tf.scalar(k, "int32")], { sorted: { kind: "bool", value: true }, T: { kind: "type", dtype: "float32" } }, 2);
      const vals = values.dataSync() as Float32Array;
      const idx = indices.dataSync() as Int32Array;
      const top = new Int32Array(b * kMax).fill(-1);
      const lengths = new Int32Array(b);
      for (let u = 0; u < b; u++) {
        let len = 0;
        for (let r = 0; r < k && vals[u * k + r] !== -Infinity; r++) top[u * kMax + len++] = idx[u * k + r];
        lengths[u] = len;
      }
      box.ranked = { top, lengths, mrr: reciprocalRanks(s, relevant) };
    });
    return box.ranked;
  };
  /** Frees the uploaded item matrices (tensors live outside the JS heap). */
  const dispose = () => {
    for (const w of uploaded.values()) w.dispose();
    uploaded.clear();
  };
  return Object.assign(score, { dispose, rank });
}

/**
 * 1 / (1 + the eligible items ranked above each user's best relevant item), equal scores ranking the lower
 * index first — the evaluator's `reciprocalRankFull`, with the counting done by TensorFlow.
 */
function reciprocalRanks(s: tf.Tensor2D, relevant: number[][]): Float64Array {
  const [b, n] = s.shape;
  const pairs: number[] = [];
  relevant.forEach((rel, u) => rel.forEach((i) => pairs.push(u, i)));
  const out = new Float64Array(b);
  if (!pairs.length) return out;
  const relScores = tf.gatherND(s, tf.tensor2d(Int32Array.from(pairs), [pairs.length / 2, 2], "int32")).dataSync();
  const bestScore = new Float32Array(b).fill(-Infinity);
  const bestItem = new Int32Array(b).fill(n);
  for (let p = 0; p < pairs.length / 2; p++) {
    const [u, i, v] = [pairs[2 * p], pairs[2 * p + 1], relScores[p]];
    if (v === -Infinity) continue; // an excluded item is never ranked
    if (v > bestScore[u] || (v === bestScore[u] && i < bestItem[u])) (bestScore[u] = v), (bestItem[u] = i);
  }
  const best = tf.tensor2d(bestScore, [b, 1]);
  const above = tf.sum(tf.cast(tf.greater(s, best), "int32"), 1);
  const tiedBefore = tf.sum(tf.cast(tf.logicalAnd(tf.equal(s, best), tf.less(tf.range(0, n, 1, "int32"), tf.tensor2d(bestItem, [b, 1], "int32"))), "int32"), 1);
  const count = tf.add(above, tiedBefore).dataSync();
  for (let u = 0; u < b; u++) out[u] = bestScore[u] === -Infinity ? 0 : 1 / (count[u] + 1);
  return out;
}
