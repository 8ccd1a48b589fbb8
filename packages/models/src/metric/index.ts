import type { ModelState } from "@mle/core";
import { trainingSchema, type TrainingConfig } from "../engine/training.ts";
import type { ModelFamily, ModelNotes } from "../family.ts";
import { cmlModel, fitCml, type CmlState } from "./cml.ts";
import { metricConfigSchema, type MetricConfig } from "./config.ts";
import { fitTriplet, tripletModel } from "./triplet.ts";
import { fitTwoTower, twoTowerModel } from "./two-tower.ts";

const KNOBS: Record<MetricConfig["variant"], TrainingConfig> = {
  cml: { epochs: 100, learningRate: 0.05, optimizer: "adagrad", batchSize: 1000, earlyStopping: { patience: 10 } },
  triplet: { epochs: 20, learningRate: 1e-3, batchSize: 32, earlyStopping: { patience: 5 } },
  "two-tower": { epochs: 50, learningRate: 1e-3, batchSize: 512, earlyStopping: { patience: 5 } },
};
const schemas = Object.fromEntries(Object.entries(KNOBS).map(([v, k]) => [v, trainingSchema(k)]));

const stopping = (t: TrainingConfig) => (t.earlyStopping?.patience ? `; with a validation part, training stops after ${t.earlyStopping.patience} epochs without improvement and keeps the best epoch's weights` : "");

function notes(c: MetricConfig, t: TrainingConfig): ModelNotes {
  switch (c.variant) {
    case "cml":
      return {
        architecture: `Collaborative Metric Learning (Hsieh et al. 2017), d = ${c.factors}: users and items are points in one Euclidean space, every vector kept inside the ball of radius ${c.clipNorm}; a user's recommendations are the items nearest to them. As dot products: items [v, −‖v‖²/2], users [u, 1] rank exactly as −‖u − v‖² (tested), so the shared ranker and any inner-product index serve it.`,
        why: "A metric space obeys the triangle inequality: two users who like the same item are pulled near each other, and so are two items liked by the same user — similarity propagates, which a dot product does not guarantee. The user asked for a triplet-loss family, and CML is its collaborative form: (user, liked item, impostor) triplets.",
        training: `WARP-weighted hinge: per training pair, ${c.negatives} unseen items are sampled; the closest is the impostor, and [${c.margin} + d(u,i)² − d(u,j)²]₊ is weighted by ${c.rankWeight ? "log(rank + 1), the rank estimated from how many samples fall inside the margin" : "1"}; the margin says how much nearer a liked item must be than an unliked one. ${c.covariance > 0 ? `Covariance regularisation λ_c = ${c.covariance} on the batch's vectors de-correlates the dimensions. ` : ""}${c.features ? `A feature loss λ_f = ${c.features.weight}·‖f(x_j) − v_j‖² pulls each item toward an MLP's projection of its content (${c.features.hidden} hidden units), and items no training pair touched are placed at that projection. ` : ""}${t.optimizer} (learning rate ${t.learningRate}) on the rows a batch of ${t.batchSize} pairs touched, at most ${t.epochs} epochs${stopping(t)}. A user's vector at evaluation is their trained vector; a history never trained on folds in by ${c.foldInEpochs} passes of the same hinge on u alone, items fixed (${c.foldInOptimizer}, learning rate ${c.foldInLearningRate ?? t.learningRate}).`,
      };
    case "triplet":
      return {
        architecture: `The content triplet network of write-up 004: a movie's standardised content (genres, release year${c.tags ? `, its ${c.tags} most-applied tags` : ""}${c.genome ? ", the tag genome where the release has it" : ""}) through F → ${c.hidden} (ReLU) → ${c.factors}; a user is the mean vector of the movies they liked (rating ≥ ${c.likedAtLeast}), ranking nearest-first by Euclidean distance (as dot products: items [v, −‖v‖²/2], users [u, 1]).`,
        why: "Vectors from what a movie is, not from who watched it: every movie, even one nobody has rated, has a place in the space, so the model serves the cold-start case and proposes candidates for a second stage (the write-up's system).",
        training: `Triplets per epoch: each liked movie is an anchor, another liked movie of the same user the positive, one of the user's movies rated ≤ ${c.dislikedAtMost} the negative (an unrated movie for users with none; ${c.mining === "random" ? "drawn at random, as the write-up did" : c.mining === "hardest" ? "the closest to the anchor" : "semi-hard: farther than the positive but inside the margin, FaceNet's rule"}); loss [‖a − p‖ − ‖a − n‖ + ${c.margin}]₊: the margin is how much farther the disliked movie must be. Adam (learning rate ${t.learningRate}) in batches of ${t.batchSize}, at most ${t.epochs} epochs${stopping(t)}.`,
      };
    case "two-tower":
      return {
        architecture: `A two-tower retriever, d = ${c.factors}: the item tower is an id embedding${c.content ? " plus the item's projected content" : ""}; the user tower the mean of the history's input embeddings${c.hidden ? ` through a ${c.hidden}-unit ReLU layer` : ""}. Score: ${c.similarity === "cosine" ? "cosine" : "dot product"} of the two, so a new user is one forward pass of the user tower.`,
        why: "The retrieval model practitioners reach for today (YouTube, TensorFlow Recommenders): the user side is a function of the history, so fold-in is the model itself, and content enters both towers.",
        training: `In-batch sampled softmax: each (user, item) pair in a batch of ${t.batchSize} scores every item of the batch, logits divided by τ = ${c.temperature}${c.logQ ? ", minus log q(item) (logQ correction: popular items are sampled as negatives more often)" : ""}, the same item elsewhere in the batch masked; the user tower reads the history without the pair's item. Adam (learning rate ${t.learningRate}), at most ${t.epochs} epochs${stopping(t)}.`,
      };
  }
}

/** Metric learning: CML, the content triplet network of write-up 004, a two-tower retriever. */
export const metricFamily: ModelFamily<MetricConfig, ModelState> = {
  family: "metric",
  summary: "metric and retrieval learning: CML, a content triplet network, a two-tower retriever",
  config: metricConfigSchema,
  training: (c) => schemas[c.variant],
  describe: (c) => (c.variant === "cml" ? `CML (d = ${c.factors})` : c.variant === "triplet" ? `content triplet net (d = ${c.factors})` : `two-tower (d = ${c.factors}, ${c.similarity})`),
  notes,
  fit: (train, c, ctx) => (c.variant === "cml" ? fitCml(train, c, ctx) : c.variant === "triplet" ? fitTriplet(train, c, ctx) : fitTwoTower(train, c, ctx)),
  restore: (s, c) => (c.variant === "cml" ? cmlModel(s as CmlState) : c.variant === "triplet" ? tripletModel(s) : twoTowerModel(s)),
  examples: [
    { family: "metric", variant: "cml", factors: 4, negatives: 5 },
    { family: "metric", variant: "triplet", hidden: 8, factors: 3 },
    { family: "metric", variant: "two-tower", factors: 4, hidden: 6 },
    { family: "metric", variant: "two-tower", factors: 4, similarity: "cosine", content: true },
  ],
};
