/**
 * Novelty@K: the mean self-information −log2 p(i) of a user's recommended items, where p(i) is the
 * share of training users who interacted with item i (items nobody touched get p = 1 / (users + 1)).
 * Higher means less popular recommendations.
 */
export function selfInformation(itemUsers: ArrayLike<number>, nUsers: number): Float64Array {
  const out = new Float64Array(itemUsers.length);
  for (let i = 0; i < itemUsers.length; i++) out[i] = -Math.log2(Math.max(itemUsers[i], nUsers / (nUsers + 1)) / nUsers);
  return out;
}

export function novelty(items: Int32Array, length: number, k: number, info: Float64Array): number {
  const n = Math.min(k, length);
  if (n === 0) return 0;
  let s = 0;
  for (let r = 0; r < n; r++) s += info[items[r]];
  return s / n;
}
