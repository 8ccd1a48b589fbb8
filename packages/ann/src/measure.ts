import { exactScores } from "./exact.ts";
import type { AnnIndex, VectorSpace } from "./hnsw.ts";

export interface AnnMeasurement {
  /**
   * "recall@10" → mean over queries of the share of the index's top k that score at least the exact k-th best
   * (|ANN ∩ exact top-k| / k, with items tied with the k-th counted: content vectors repeat, and which of several
   * equal items is returned is not an error).
   */
  recall: Record<string, number>;
  queriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  queries: number;
}

/** Recall of the index against exact search at each k, and its query latency, over the given dense queries. */
export function measureAnn(index: AnnIndex, space: VectorSpace, queries: Float32Array[], ks: number[] = [10, 100]): AnnMeasurement {
  const kMax = Math.min(Math.max(...ks), space.nItems);
  const times: number[] = [];
  const found: Int32Array[] = [];
  for (const q of queries) {
    const t = performance.now();
    found.push(index.search(q, kMax));
    times.push(performance.now() - t);
  }
  const recall: Record<string, number> = Object.fromEntries(ks.map((k) => [`recall@${k}`, 0]));
  queries.forEach((q, j) => {
    const scores = exactScores(space, q);
    const sorted = Float64Array.from(scores).sort().reverse();
    for (const k of ks) {
      const kk = Math.min(k, space.nItems);
      const kth = sorted[kk - 1];
      const tolerance = 1e-6 * Math.max(1, Math.abs(kth));
      let hits = 0;
      for (const i of found[j].subarray(0, kk)) if (scores[i] >= kth - tolerance) hits++;
      recall[`recall@${k}`] += hits / (kk * queries.length);
    }
  });
  const sorted = times.slice().sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  const total = times.reduce((a, b) => a + b, 0);
  return { recall, queriesPerSecond: total > 0 ? (1000 * queries.length) / total : NaN, p50Ms: at(0.5), p99Ms: at(0.99), queries: queries.length };
}
