import { z } from "zod";
import { Rng, historyKey, shaped, type EmbeddingModel, type History, type ShapedArray } from "@mle/core";
import { trainingSchema } from "../engine/training.ts";
import type { ModelFamily } from "../family.ts";

const randomConfigSchema = z.strictObject({
  family: z.literal("random"),
  /** Dimension of the random space; rankings are random either way. */
  factors: z.number().int().min(1).default(32),
});
type RandomConfig = z.infer<typeof randomConfigSchema>;
/** Gaussian item vectors and the generator users' vectors are drawn from (seeded by their history). */
type RandomState = { itemVectors: ShapedArray<Float32Array>; seed: number; stream: string };

function randomModel(s: RandomState): EmbeddingModel {
  const [nItems, d] = s.itemVectors.shape;
  const rng = new Rng(s.seed, s.stream);
  const userVector = (h: History) => {
    const r = rng.fork(`user/${historyKey(Int32Array.from(h.items).sort())}`); // seeded by the set of items, whatever their order
    return Float32Array.from({ length: d }, () => r.normal());
  };
  return { name: "random", dim: d, nItems, similarity: "dot", itemVectors: s.itemVectors.data, userVector };
}

/**
 * The floor: Gaussian item vectors and a Gaussian user vector seeded by the run seed and the user's
 * history, so a user's random ranking is reproducible and independent of other users.
 */
export const randomFamily: ModelFamily<RandomConfig, RandomState> = {
  family: "random",
  summary: "random vectors: what any metric looks like by chance",
  config: randomConfigSchema,
  training: () => trainingSchema({}),
  describe: (c) => `random (d = ${c.factors})`,
  notes: (c) => ({
    architecture: `Gaussian item vectors and a Gaussian user vector (d = ${c.factors}) seeded by the run seed and the user's history.`,
    why: "The absolute floor: what any metric looks like by chance on this catalogue.",
    training: "None.",
  }),
  fit: async (train, c, { rng }) => {
    const items = rng.fork("items");
    const state = { itemVectors: shaped(Float32Array.from({ length: train.nItems * c.factors }, () => items.normal()), train.nItems, c.factors), seed: rng.seed, stream: rng.stream };
    return { model: randomModel(state), state };
  },
  restore: randomModel,
  examples: [{ family: "random", factors: 4 }],
};
