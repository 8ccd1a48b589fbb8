/** What a model is fitted on: interaction rows in a dense user × item space. */
export interface TrainSet {
  nUsers: number;
  nItems: number;
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
}

/** Items per user (CSR), each user's items in row order. */
export function byUser(t: TrainSet): { offsets: Uint32Array; items: Int32Array; ratings: Float32Array } {
  const offsets = new Uint32Array(t.nUsers + 1);
  for (let i = 0; i < t.user.length; i++) offsets[t.user[i] + 1]++;
  for (let u = 0; u < t.nUsers; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, t.nUsers);
  const items = new Int32Array(t.user.length);
  const ratings = new Float32Array(t.user.length);
  for (let i = 0; i < t.user.length; i++) {
    const at = next[t.user[i]]++;
    items[at] = t.item[i];
    ratings[at] = t.rating[i];
  }
  return { offsets, items, ratings };
}

/** A stable key of a history's items, so per-user randomness (random baseline, BPR fold-in) is seeded by the history. */
export function historyKey(items: ArrayLike<number>): number {
  let h = items.length;
  for (let i = 0; i < items.length; i++) h = (Math.imul(h, 31) + items[i]) | 0;
  return h;
}
