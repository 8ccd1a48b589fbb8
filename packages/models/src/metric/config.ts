import { z } from "zod";

const common = { family: z.literal("metric") };

/** Content views a content-reading model may use (the views the release has; the rest are skipped). */
const contentViews = {
  /** The most-applied tags kept as TF-IDF features (0: none). */
  tags: z.number().int().min(0).default(0),
  /** The tag genome where the release has it. */
  genome: z.boolean().default(true),
};

/**
 * CML (Hsieh et al. 2017): users and items in one Euclidean space, the WARP-weighted hinge
 * [m + d(u,i)² − min_k d(u,k)²]₊ · log(rank + 1) over `negatives` sampled items, rows clipped to the unit ball,
 * covariance regularisation.
 */
export const cmlConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("cml"),
  factors: z.number().int().min(1).max(4096).default(100),
  margin: z.number().positive().default(0.5),
  /** U: items sampled per positive; the closest is the impostor, the count of violators estimates the rank. */
  negatives: z.number().int().min(1).max(1000).default(20),
  /** Radius of the ball every user and item vector is clipped to after each update (the paper's 1). */
  clipNorm: z.number().positive().default(1),
  /** λ_c: weight of Σ_{a≠b} C_ab², C the covariance of the batch's user and item vectors (0: off). */
  covariance: z.number().min(0).default(1),
  /**
   * CML's feature loss: an MLP f maps each item's standardised content (genres, year, `tags` most-applied tags,
   * the genome where the release has it) into the space and λ_f·‖f(x_j) − v_j‖² pulls the batch's items toward
   * it; items with no training interaction then take f(x_j) as their vector. Unset: off.
   */
  features: z.strictObject({ weight: z.number().positive().default(1), hidden: z.number().int().min(1).default(256), tags: z.number().int().min(0).default(0), genome: z.boolean().default(true) }).optional(),
  /** WARP weighting log(rank + 1); false: every violating pair weighs 1. */
  rankWeight: z.boolean().default(true),
  /** Standard deviation of the initial vectors (the paper: N(0, 1/d)). */
  initStd: z.number().positive().optional(),
  /** Passes over a history when a user never seen in training folds in (the hinge on u alone, items fixed). */
  foldInEpochs: z.number().int().min(1).default(30),
  /** Unset: training's learning rate. */
  foldInLearningRate: z.number().positive().optional(),
  /**
   * Adagrad, as training (default); plain SGD's last iterate under the WARP weight's large steps is noisy: on
   * ml-latest-small's 80/10/10 split it scored test NDCG@10 0.093 against Adagrad's 0.181 (seed 1).
   */
  foldInOptimizer: z.enum(["sgd", "adagrad"]).default("adagrad"),
});

/**
 * Content triplet network (write-up 004): an MLP maps a movie's content to a vector; triplets (anchor,
 * positive, negative) from each user's liked and disliked movies, hinge on Euclidean distances.
 */
export const tripletConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("triplet"),
  hidden: z.number().int().min(1).default(64),
  factors: z.number().int().min(1).default(32),
  margin: z.number().positive().default(1),
  /**
   * Ratings at or above: liked (anchors, positives, the user vector); at or below `dislikedAtMost`: negatives
   * (a user with none, as under implicit feedback, gets unrated movies as negatives).
   */
  likedAtLeast: z.number().default(4),
  dislikedAtMost: z.number().default(2),
  /** Which disliked movie is the negative: random (the write-up), semi-hard (FaceNet) or hardest of the user's. */
  mining: z.enum(["random", "semi-hard", "hardest"]).default("random"),
  ...contentViews,
});

/**
 * Two-tower retriever with in-batch sampled softmax (TensorFlow Recommenders' retrieval task): item tower id
 * embedding + projected content; user tower the mean of the history's embeddings through an MLP.
 */
export const twoTowerConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("two-tower"),
  factors: z.number().int().min(1).default(64),
  /** Hidden width of the user tower's MLP (0: the history mean is the user vector). */
  hidden: z.number().int().min(0).default(0),
  similarity: z.enum(["dot", "cosine"]).default("dot"),
  /** Softmax temperature τ: logits are similarity / τ. */
  temperature: z.number().positive().default(1),
  /** Subtract log q(i) from the logits, q the in-batch sampling probability (Yi et al. 2019). */
  logQ: z.boolean().default(true),
  /** Project the items' content features into their tower (the views the release has). */
  content: z.boolean().default(false),
  /** λ/B · Σ (‖u‖² + ‖v‖²) over a batch of B pairs: the batch's user (history mean) and item vectors. */
  l2: z.number().min(0).default(0),
  ...contentViews,
});

export const metricConfigSchema = z.discriminatedUnion("variant", [cmlConfigSchema, tripletConfigSchema, twoTowerConfigSchema]);
export type CmlConfig = z.infer<typeof cmlConfigSchema>;
export type TripletConfig = z.infer<typeof tripletConfigSchema>;
export type TwoTowerConfig = z.infer<typeof twoTowerConfigSchema>;
export type MetricConfig = z.infer<typeof metricConfigSchema>;
