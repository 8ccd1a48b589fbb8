import { z } from "zod";
import { shaped, type EmbeddingModel, type ShapedArray } from "@mle/core";
import { trainingSchema } from "../engine/training.ts";
import type { ModelFamily } from "../family.ts";

const popularityConfigSchema = z.strictObject({ family: z.literal("popularity") });
type PopularityConfig = z.infer<typeof popularityConfigSchema>;
type PopularityState = { counts: ShapedArray<Float32Array> };

const ONE = Float32Array.of(1);

/** An item's vector is its training count and every user's vector is [1]: the same ranking for everyone. */
function popularityModel(s: PopularityState): EmbeddingModel {
  return { name: "popularity", dim: 1, nItems: s.counts.data.length, similarity: "dot", itemVectors: s.counts.data, userVector: () => ONE };
}

/** Most-interacted items first, the same list for everyone. */
export const popularityFamily: ModelFamily<PopularityConfig, PopularityState> = {
  family: "popularity",
  summary: "most-interacted items first, the same list for everyone",
  config: popularityConfigSchema,
  training: () => trainingSchema({}),
  describe: () => "popularity",
  notes: () => ({
    architecture: "A one-dimensional embedding space: each item's vector is its number of training interactions, every user's vector is [1], so every user gets the same ranking (minus what they have seen).",
    why: "The floor every model must clear, like the constant model of write-up 000: a learned model that does not beat popularity has learned nothing personal.",
    training: "Counting; no hyperparameters, no validation needed.",
  }),
  fit: async (train) => {
    const counts = new Float32Array(train.nItems);
    for (let i = 0; i < train.item.length; i++) counts[train.item[i]]++;
    const state = { counts: shaped(counts, train.nItems) };
    return { model: popularityModel(state), state };
  },
  restore: popularityModel,
  examples: [{ family: "popularity" }],
};
