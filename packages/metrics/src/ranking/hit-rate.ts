import { hitsAt, type RankedList } from "./ranked-list.ts";

/** HitRate@K = 1 when at least one relevant item is in the top K, else 0. */
export function hitRate(list: RankedList, k: number): number {
  return hitsAt(list, k) > 0 ? 1 : 0;
}
