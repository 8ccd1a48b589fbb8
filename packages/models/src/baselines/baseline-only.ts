import { z } from "zod";
import { itemLists, log, shaped, userLists, type EmbeddingModel, type History, type ShapedArray, type TrainSet } from "@mle/core";
import { trainingSchema } from "../engine/training.ts";
import type { FitContext, ModelFamily } from "../family.ts";

const baselineConfigSchema = z.strictObject({
  family: z.literal("baseline"),
  /** Surprise's `reg_u` and `reg_i` (its defaults). */
  regUser: z.number().min(0).default(15),
  regItem: z.number().min(0).default(10),
});
type BaselineConfig = z.infer<typeof baselineConfigSchema>;
type BaselineState = { itemBias: ShapedArray<Float32Array>; mu: number; regUser: number; ratingMin: number; ratingMax: number };

/** b_u of a history with the item biases fixed: Σ (r − μ − b_i) / (reg_u + |H|), the ALS user step. */
function userBias(s: BaselineState, h: History): number {
  let dev = 0;
  for (let k = 0; k < h.items.length; k++) dev += h.ratings[k] - s.mu - s.itemBias.data[h.items[k]];
  return dev / (s.regUser + h.items.length);
}

function baselineModel(s: BaselineState): EmbeddingModel {
  const bi = s.itemBias.data;
  return {
    name: "baseline-only", dim: 1, nItems: bi.length, similarity: "dot", itemVectors: bi, userVector: () => Float32Array.of(1),
    predictRatings: (h, items) => {
      const bu = userBias(s, h);
      return Float32Array.from(items, (i) => Math.min(s.ratingMax, Math.max(s.ratingMin, s.mu + bu + bi[i])));
    },
  };
}

/**
 * Surprise's BaselineOnly: r̂ = μ + b_u + b_i fitted by alternating least squares (items, then users, for
 * `training.epochs` rounds), predictions clipped to the training ratings' range. Ranking by b_i alone is a
 * "best-rated" list; as a rating model it is the yardstick published tables quote (RMSE 0.944 on ML-100k).
 */
async function fitBaseline(train: TrainSet, c: BaselineConfig, { training }: FitContext) {
  const n = train.rating.length;
  let mu = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) (mu += train.rating[k]), (lo = Math.min(lo, train.rating[k])), (hi = Math.max(hi, train.rating[k]));
  mu /= n;
  const byUser = userLists(train);
  const byItem = itemLists(train);
  const bu = new Float64Array(train.nUsers);
  const bi = new Float64Array(train.nItems);
  for (let epoch = 0; epoch < training.epochs; epoch++) {
    for (let i = 0; i < train.nItems; i++) {
      let dev = 0;
      for (let j = byItem.offsets[i]; j < byItem.offsets[i + 1]; j++) dev += byItem.ratings[j] - mu - bu[byItem.items[j]];
      bi[i] = dev / (c.regItem + byItem.offsets[i + 1] - byItem.offsets[i]);
    }
    for (let u = 0; u < train.nUsers; u++) {
      let dev = 0;
      for (let j = byUser.offsets[u]; j < byUser.offsets[u + 1]; j++) dev += byUser.ratings[j] - mu - bi[byUser.items[j]];
      bu[u] = dev / (c.regUser + byUser.offsets[u + 1] - byUser.offsets[u]);
    }
  }
  log(`baseline-only: μ = ${mu.toFixed(4)}, ${training.epochs} ALS rounds, reg_u ${c.regUser}, reg_i ${c.regItem}`);
  const state = { itemBias: shaped(Float32Array.from(bi), train.nItems), mu, regUser: c.regUser, ratingMin: lo, ratingMax: hi };
  return { model: baselineModel(state), state };
}

export const baselineFamily: ModelFamily<BaselineConfig, BaselineState> = {
  family: "baseline",
  summary: "baseline-only rating predictor μ + b_u + b_i (Surprise's BaselineOnly)",
  config: baselineConfigSchema,
  training: () => trainingSchema({ epochs: 10 }),
  describe: () => "baseline-only (μ + b_u + b_i)",
  notes: (c, t) => ({
    architecture: "μ + b_u + b_i: a global mean plus a bias per user and per item; in the embedding space an item's vector is [b_i] and every user's [1], so as a ranking it lists the items rated above their popularity-adjusted mean first.",
    why: "The baseline published rating tables quote (Surprise BaselineOnly: RMSE 0.944 on ML-100k's folds): a factor model that does not beat it learned nothing beyond biases.",
    training: `Alternating least squares on the biases (items, then users) for ${t.epochs} rounds with reg_u = ${c.regUser}, reg_i = ${c.regItem}, as Surprise does. A user's bias at evaluation is the same user step from their history.`,
  }),
  fit: fitBaseline,
  restore: baselineModel,
  examples: [{ family: "baseline" }],
};
