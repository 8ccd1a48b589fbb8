import { isSparse, type UserVector } from "@mle/core";
import { tf } from "./backend.ts";

interface Space {
  dim: number;
  nItems: number;
  factors: Float32Array;
}

/**
 * Block scoring as one TensorFlow.js matMul (users × d by d × items): SIMD and threads on the wasm
 * backend. Sparse user vectors (EASE's history rows) keep the JS path, which only touches the
 * rows their history names. The factor matrix is uploaded once per space.
 */
export function tfBlockScorer(fallback: (space: Space, vectors: UserVector[], out: Float32Array) => void) {
  const uploaded = new Map<Space, import("@tensorflow/tfjs-core").Tensor2D>();
  const score = (space: Space, vectors: UserVector[], out: Float32Array): void => {
    if (vectors.some(isSparse)) return fallback(space, vectors, out);
    let w = uploaded.get(space);
    if (!w) {
      w = tf.tensor2d(space.factors, [space.dim, space.nItems]);
      uploaded.set(space, w);
    }
    const u = new Float32Array(vectors.length * space.dim);
    vectors.forEach((v, b) => u.set(v as Float32Array, b * space.dim));
    const scores = tf.tidy(() => tf.matMul(tf.tensor2d(u, [vectors.length, space.dim]), w!));
    out.set(scores.dataSync() as Float32Array);
    scores.dispose();
  };
  /** Frees the uploaded item matrices (tensors live outside the JS heap). */
  const dispose = () => {
    for (const w of uploaded.values()) w.dispose();
    uploaded.clear();
  };
  return Object.assign(score, { dispose });
}
