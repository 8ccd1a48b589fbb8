import { hitsAt, type RankedList } from "./ranked-list.ts";

/** Recall@K = hits@K / |relevant| — can never reach 1 when |relevant| > K. */
export function recall(list: RankedList, k: number): number {
  return hitsAt(list, k) / list.nRelevant;
}

/**
 * Liang et al. (2018)'s normalised recall: hits@K / min(K, |relevant|), which reaches 1 for a
 * perfect ranking whatever the number of relevant items. Named `recall_liang@K` in results.
 */
export function recallLiang(list: RankedList, k: number): number {
  return hitsAt(list, k) / Math.min(k, list.nRelevant);
}
