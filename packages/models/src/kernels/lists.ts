import { historyKey } from "@mle/core";

/** Each entity's interacted rows on the other side (CSR). */
export interface CsrLists {
  offsets: Uint32Array;
  items: Int32Array;
}

/** The same lists with each entity's items sorted ascending (for negative sampling by binary search). */
export function sortedLists(lists: CsrLists): CsrLists {
  const items = lists.items.slice();
  for (let u = 0; u + 1 < lists.offsets.length; u++) items.subarray(lists.offsets[u], lists.offsets[u + 1]).sort();
  return { offsets: lists.offsets, items };
}

/** Finds the entity whose sorted item list equals a sorted history (−1 if none). */
export function listFinder(lists: CsrLists): (sorted: Int32Array) => number {
  const byKey = new Map<number, number[]>();
  for (let u = 0; u + 1 < lists.offsets.length; u++) {
    const key = historyKey(lists.items.subarray(lists.offsets[u], lists.offsets[u + 1]));
    byKey.set(key, [...(byKey.get(key) ?? []), u]);
  }
  return (sorted) => {
    for (const u of byKey.get(historyKey(sorted)) ?? []) {
      const a = lists.offsets[u];
      if (lists.offsets[u + 1] - a === sorted.length && sorted.every((i, k) => lists.items[a + k] === i)) return u;
    }
    return -1;
  };
}
