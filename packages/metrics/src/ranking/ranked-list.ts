/**
 * One user's top-K as the metrics see it: `gains[r]` is the gain of the item at rank r+1
 * (0 when not relevant; 1 for binary relevance, the rating for graded gain), `length` how many
 * items were recommended, `nRelevant` how many targets are relevant, and `idealGains` the relevant
 * targets' gains, best first (what an ideal ranking would place on top).
 */
export interface RankedList {
  gains: Float64Array;
  length: number;
  nRelevant: number;
  idealGains: Float64Array;
}

/** Relevant items among the first k recommended. */
export function hitsAt(list: RankedList, k: number): number {
  let h = 0;
  const n = Math.min(k, list.length);
  for (let r = 0; r < n; r++) if (list.gains[r] > 0) h++;
  return h;
}
