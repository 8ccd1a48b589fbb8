import type { EmbeddingModel, History, UserVector } from "@mle/core";
import { historyKey } from "@mle/core";

/**
 * The model with `userVector` remembered per history (items and ratings). On a random split the test
 * part, the validation part and the saved user vectors fold in the same training histories, and a
 * fold-in is a solve (iALS, biased MF): remembering it spares two of the three.
 */
export function memoizeUserVectors(model: EmbeddingModel): EmbeddingModel {
  const memo = new Map<number, { items: Int32Array; ratings: Float32Array; vector: UserVector }[]>();
  const same = (h: History, e: { items: Int32Array; ratings: Float32Array }) =>
    e.items.length === h.items.length && e.items.every((x, k) => x === h.items[k] && e.ratings[k] === h.ratings[k]);
  return {
    ...model,
    userVector: (h: History) => {
      // Keyed by the items (the key the models seed fold-ins with); ratings are told apart within a bucket.
      const key = historyKey(h.items);
      const bucket = memo.get(key) ?? [];
      const hit = bucket.find((e) => same(h, e));
      if (hit) return hit.vector;
      const vector = model.userVector(h);
      bucket.push({ items: Int32Array.from(h.items), ratings: Float32Array.from(h.ratings), vector });
      memo.set(key, bucket);
      return vector;
    },
  };
}
