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
  // Keyed by the items (the key the models seed fold-ins with); ratings are told apart within a bucket.
  const find = (h: History) => memo.get(historyKey(h.items))?.find((e) => same(h, e))?.vector;
  const remember = (h: History, vector: UserVector) => {
    const key = historyKey(h.items);
    memo.set(key, [...(memo.get(key) ?? []), { items: Int32Array.from(h.items), ratings: Float32Array.from(h.ratings), vector }]);
    return vector;
  };
  const batch = model.userVectors?.bind(model);
  return {
    ...model,
    userVector: (h: History) => find(h) ?? remember(h, model.userVector(h)),
    ...(batch ? {
      userVectors: (hs: History[]) => {
        const out = hs.map(find);
        const missing = hs.map((_, k) => k).filter((k) => out[k] === undefined);
        if (missing.length) batch(missing.map((k) => hs[k])).forEach((v, j) => (out[missing[j]] = remember(hs[missing[j]], v)));
        return out as UserVector[];
      },
    } : {}),
  };
}
