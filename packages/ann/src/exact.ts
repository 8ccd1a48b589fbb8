import type { VectorSpace } from "./hnsw.ts";

/** The exact top-k items of a dense query by the space's similarity (ties to the lower index), `exclude` left out. */
export function exactTopK(space: VectorSpace, query: Float32Array, k: number, exclude: ArrayLike<number> = []): Int32Array {
  const scores = exactScores(space, query);
  for (let j = 0; j < exclude.length; j++) scores[exclude[j]] = -Infinity;
  const order = Int32Array.from({ length: space.nItems }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  return order.subarray(0, Math.min(k, space.nItems - exclude.length));
}

/** Every item's similarity to a dense query, in float64. */
export function exactScores(space: VectorSpace, query: Float32Array): Float64Array {
  return Float64Array.from({ length: space.nItems }, (_, i) => itemScore(space, query, i));
}

/** Item i's similarity to a dense query, in float64 (dot product, or cosine over the item's norm). */
export function itemScore(space: VectorSpace, query: Float32Array, i: number): number {
  const { itemVectors: V, dim: d } = space;
  let s = 0;
  let norm = 0;
  for (let f = 0; f < d; f++) (s += query[f] * V[i * d + f]), (norm += V[i * d + f] ** 2);
  return space.similarity === "cosine" ? (norm > 0 ? s / Math.sqrt(norm) : 0) : s;
}
