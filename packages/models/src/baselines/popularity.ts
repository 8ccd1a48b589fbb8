import { z } from "zod";
import type { EmbeddingModel } from "@mle/core";
import type { TrainSet } from "../train-set.ts";

export const popularityConfigSchema = z.strictObject({ family: z.literal("popularity") });

/**
 * Most-interacted items first, the same list for everyone: a one-dimensional space where an item's
 * vector is its training interaction count and every user's vector is [1].
 */
export function fitPopularity(train: TrainSet): EmbeddingModel {
  const counts = new Float32Array(train.nItems);
  for (let i = 0; i < train.item.length; i++) counts[train.item[i]]++;
  const one = Float32Array.of(1);
  return { name: "popularity", dim: 1, nItems: train.nItems, similarity: "dot", itemVectors: counts, userVector: () => one };
}
