import type { RankedList } from "./ranked-list.ts";

/**
 * AP@K = (1 / min(K, |relevant|)) Σ_{r ≤ K, item r relevant} Precision@r; MAP@K is its mean over
 * users. The min(K, ·) denominator (as in RecBole) lets a perfect top-K score 1.
 */
export function averagePrecision(list: RankedList, k: number): number {
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, list.length);
  for (let r = 0; r < n; r++) {
    if (list.gains[r] > 0) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  return sum / Math.min(k, list.nRelevant);
}
