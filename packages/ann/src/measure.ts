import { exactScores, itemScore } from "./exact.ts";
import type { AnnIndex, VectorSpace } from "./hnsw.ts";

export interface AnnMeasurement {
  /**
   * "recall@10" → mean over queries of the share of the index's top k that score at least the exact k-th best
   * (|ANN ∩ exact top-k| / k, with items tied with the k-th counted: content vectors repeat, and which of several
   * equal items is returned is not an error).
   */
  recall: Record<string, number>;
  /** Latency of the searches of the smallest k measured. */
  queriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  queries: number;
}

/**
 * Exact search's answer to a fixed set of dense queries, computed once: per query and k, the k-th best score (the
 * bar an index's pick must reach to count as found). Several indexes (or search settings) are then measured
 * against it without rescoring the catalogue.
 */
export class ExactReference {
  private readonly bars: Float64Array[];

  constructor(readonly space: VectorSpace, readonly queries: Float32Array[], readonly ks: number[] = [10, 100]) {
    this.bars = queries.map((q) => {
      const sorted = exactScores(space, q).sort().reverse();
      return Float64Array.from(ks, (k) => sorted[Math.min(k, space.nItems) - 1]);
    });
  }

  /**
   * The index's recall at each k, each from its own search of k (a search of 100 explores more of the graph than one
   * of 10, so its top 10 would flatter the index), and the latency of the searches of the smallest k.
   */
  measure(index: AnnIndex): AnnMeasurement {
    const { space, queries, ks } = this;
    const times: number[] = [];
    const recall: Record<string, number> = Object.fromEntries(ks.map((k) => [`recall@${k}`, 0]));
    const first = ks.indexOf(Math.min(...ks));
    queries.forEach((q, j) => {
      ks.forEach((k, c) => {
        const kk = Math.min(k, space.nItems);
        const t = performance.now();
        const found = index.search(q, kk);
        if (c === first) times.push(performance.now() - t);
        const bar = this.bars[j][c];
        const tolerance = 1e-6 * Math.max(1, Math.abs(bar));
        let hits = 0;
        for (const i of found.subarray(0, kk)) if (itemScore(space, q, i) >= bar - tolerance) hits++;
        recall[`recall@${k}`] += hits / (kk * queries.length);
      });
    });
    const sorted = times.slice().sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    const total = times.reduce((a, b) => a + b, 0);
    return { recall, queriesPerSecond: total > 0 ? (1000 * queries.length) / total : NaN, p50Ms: at(0.5), p99Ms: at(0.99), queries: queries.length };
  }
}

/** Recall of the index against exact search at each k, and its query latency, over the given dense queries. */
export function measureAnn(index: AnnIndex, space: VectorSpace, queries: Float32Array[], ks: number[] = [10, 100]): AnnMeasurement {
  return new ExactReference(space, queries, ks).measure(index);
}
