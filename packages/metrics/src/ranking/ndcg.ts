import type { RankedList } from "./ranked-list.ts";

/**
 * NDCG@K = DCG@K / IDCG@K with DCG@K = Σ_{r=1..K} gain_r / log2(r + 1) and IDCG@K the DCG of the
 * ideal order (relevant items by gain, best first). Binary gain is 1 per relevant item; graded gain
 * is the rating.
 */
export function ndcg(list: RankedList, k: number): number {
  let dcg = 0;
  const n = Math.min(k, list.length);
  for (let r = 0; r < n; r++) if (list.gains[r] > 0) dcg += list.gains[r] / Math.log2(r + 2);
  let idcg = 0;
  const m = Math.min(k, list.idealGains.length);
  for (let r = 0; r < m; r++) idcg += list.idealGains[r] / Math.log2(r + 2);
  return idcg > 0 ? dcg / idcg : 0;
}
