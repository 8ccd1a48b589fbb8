import { z } from "zod";
import type { EmbeddingModel } from "@mle/core";
import { trainingSchema } from "../engine/training.ts";
import type { ModelFamily } from "../family.ts";

const meanConfigSchema = z.strictObject({ family: z.literal("mean") });
type MeanConfig = z.infer<typeof meanConfigSchema>;
type MeanState = { mu: number; nItems: number };

const ONE = Float32Array.of(1);

/** Every rating predicted as the training mean; every item scores 0, so a ranking is the catalogue order. */
function meanModel(s: MeanState): EmbeddingModel {
  return {
    name: "global-mean", dim: 1, nItems: s.nItems, similarity: "dot", itemVectors: new Float32Array(s.nItems), userVector: () => ONE,
    predictRatings: (_h, items) => new Float32Array(items.length).fill(s.mu),
  };
}

/** The constant model write-up 000 compared against: the floor of rating prediction. */
export const meanFamily: ModelFamily<MeanConfig, MeanState> = {
  family: "mean",
  summary: "the constant model: every rating predicted as the training mean",
  config: meanConfigSchema,
  training: () => trainingSchema({}),
  describe: () => "global mean",
  notes: () => ({
    architecture: "No embedding to speak of: every rating is predicted as the mean training rating μ; items all score the same, so as a ranking it is arbitrary.",
    why: "The constant model write-up 000 measured its MF against: any rating model must beat it, and its RMSE is the spread of the ratings themselves.",
    training: "The mean of the training ratings; nothing to tune.",
  }),
  fit: async (train) => {
    let s = 0;
    for (let k = 0; k < train.rating.length; k++) s += train.rating[k];
    const state = { mu: train.rating.length ? s / train.rating.length : 0, nItems: train.nItems };
    return { model: meanModel(state), state };
  },
  restore: meanModel,
  examples: [{ family: "mean" }],
};
