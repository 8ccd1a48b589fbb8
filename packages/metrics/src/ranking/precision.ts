import { hitsAt, type RankedList } from "./ranked-list.ts";

/** Precision@K = hits@K / K (K, not the list length: a short list is not rewarded). */
export function precision(list: RankedList, k: number): number {
  return hitsAt(list, k) / k;
}
