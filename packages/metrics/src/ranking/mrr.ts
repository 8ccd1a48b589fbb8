import type { RankedList } from "./ranked-list.ts";

/** Reciprocal rank within the top K: 1 / rank of the first relevant item, 0 if none in the top K (`mrr@K`). */
export function reciprocalRankAt(list: RankedList, k: number): number {
  const n = Math.min(k, list.length);
  for (let r = 0; r < n; r++) if (list.gains[r] > 0) return 1 / (r + 1);
  return 0;
}

/**
 * Reciprocal rank over the full ranking (`mrr`): 1 / (1 + the number of eligible items ranked above
 * the best relevant one), with the same tie rule as the top-K (lower item index first). O(items).
 */
export function reciprocalRankFull(scores: Float32Array, off: number, n: number, relevant: ArrayLike<number>): number {
  let best = -1;
  for (let j = 0; j < relevant.length; j++) {
    const i = relevant[j];
    const s = scores[off + i];
    if (s === -Infinity) continue;
    if (best < 0 || s > scores[off + best] || (s === scores[off + best] && i < best)) best = i;
  }
  if (best < 0) return 0;
  const sb = scores[off + best];
  let above = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[off + i];
    if (s > sb || (s === sb && i < best)) above++;
  }
  return 1 / (above + 1);
}
