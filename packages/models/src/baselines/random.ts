import { z } from "zod";
import { Rng, type EmbeddingModel, type History } from "@mle/core";
import { historyKey, type TrainSet } from "../train-set.ts";

export const randomConfigSchema = z.strictObject({
  family: z.literal("random"),
  /** Dimension of the random space; rankings are random either way. */
  factors: z.number().int().min(1).default(32),
});

/**
 * The floor: Gaussian item vectors and a Gaussian user vector seeded by the run seed and the user's
 * history, so a user's random ranking is reproducible and independent of other users.
 */
export function fitRandom(train: TrainSet, config: z.infer<typeof randomConfigSchema>, rng: Rng): EmbeddingModel {
  const d = config.factors;
  const items = rng.fork("items");
  const itemVectors = Float32Array.from({ length: train.nItems * d }, () => items.normal());
  const userVector = (h: History) => {
    const r = rng.fork(`user/${historyKey(h.items)}`);
    return Float32Array.from({ length: d }, () => r.normal());
  };
  return { name: "random", dim: d, nItems: train.nItems, similarity: "dot", itemVectors, userVector };
}
