import { z } from "zod";

const common = { family: z.literal("autoencoder") };
/** What a user's input row holds (the multinomial models): 1 per interaction (implicit feedback), or the rating. */
const input = z.enum(["binary", "rating"]).default("binary");

/** Mult-VAE (Liang et al. 2018): I → hidden → latent (μ, log σ²) → hidden → I, multinomial likelihood, KL annealed to `beta`. */
export const multVaeConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("multvae"),
  input,
  hidden: z.number().int().min(1).default(600),
  latent: z.number().int().min(1).default(200),
  /** Dropout on the normalised input (Liang: keep probability 0.5). */
  dropout: z.number().min(0).lt(1).default(0.5),
  /** The KL weight's cap; it grows linearly from 0 over `annealSteps` updates (0: β from the start). */
  beta: z.number().min(0).default(0.2),
  annealSteps: z.number().int().min(0).default(200_000),
  /** λ Σ w² on the weight matrices (Liang: 0 for Mult-VAE). */
  l2: z.number().min(0).default(0),
});

/** Mult-DAE: the same network without the variational layer (tanh bottleneck), λ = 0.01 (Liang). */
export const multDaeConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("multdae"),
  input,
  hidden: z.number().int().min(1).default(600),
  latent: z.number().int().min(1).default(200),
  dropout: z.number().min(0).lt(1).default(0.5),
  l2: z.number().min(0).default(0.01),
});

/** RecVAE (Shenbin et al. 2020): a deeper encoder with layer norm, composite prior, β(x) = γ·|x|, alternating updates. */
export const recVaeConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("recvae"),
  input,
  hidden: z.number().int().min(1).default(600),
  latent: z.number().int().min(1).default(200),
  dropout: z.number().min(0).lt(1).default(0.5),
  /** KL weight per interaction of the user: β(x) = γ·|x|. */
  gamma: z.number().min(0).default(0.005),
  /** Encoder passes over the data per epoch, then decoder passes (the paper's alternating schedule). */
  encoderEpochs: z.number().int().min(1).default(3),
  decoderEpochs: z.number().int().min(1).default(1),
});

/**
 * AutoRec (Sedhain et al. 2015) on explicit ratings: item-based (I-AutoRec: each item's ratings over users)
 * or user-based (U-AutoRec: each user's ratings over items — the "user autoencoder over rating rows"),
 * `hidden` sigmoid units, masked squared error, L2.
 */
export const autoRecConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("autorec"),
  orientation: z.enum(["item", "user"]).default("item"),
  hidden: z.number().int().min(1).default(500),
  /** λ/2 (‖W‖² + ‖V‖²), the paper's regulariser. */
  l2: z.number().min(0).default(1),
  /**
   * Centre the encoder's input on the training mean (unobserved reads as "average") instead of the paper's
   * raw ratings with 0 for unobserved. Measured on ML-100k's folds (`pnpm bench autorec`): centring costs
   * 0.02–0.03 RMSE, in ours and in a PyTorch AutoRec alike.
   */
  centre: z.boolean().default(false),
  /** Ridge λ per rating when a user never seen in training is folded in. */
  foldInL2: z.number().positive().default(1),
});

/**
 * Content autoencoder (write-up 002): each movie's content (genres, year, mean training rating, tag
 * TF-IDF, genome where the release has it) through an MLP bottleneck; the code is the movie's vector.
 */
export const contentAeConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("content"),
  hidden: z.number().int().min(1).default(256),
  latent: z.number().int().min(1).default(32),
  /** The most-applied tags kept as TF-IDF features (0: none). */
  tags: z.number().int().min(0).default(300),
  genome: z.boolean().default(true),
  /** Add log(1 + training count) to the content: how much an item is watched (0 for a new item). */
  popularity: z.boolean().default(true),
  /**
   * A user's vector, closed form so any history folds in: `regression` — ridge least squares of the user's
   * row (1 on the history, 0 elsewhere with weight `unobservedWeight`) on the item codes; `centered` — the
   * rated movies' codes weighted by rating minus the user's mean; `rating`; `uniform` (the plain average).
   */
  userWeighting: z.enum(["regression", "centered", "rating", "uniform"]).default("regression"),
  /** α0 of the `regression` user solve: the weight of every item the user did not rate. */
  unobservedWeight: z.number().min(0).default(0.1),
  /** λ of the `regression` user solve. */
  userL2: z.number().positive().default(1),
});

export const autoencoderConfigSchema = z.discriminatedUnion("variant", [multVaeConfigSchema, multDaeConfigSchema, recVaeConfigSchema, autoRecConfigSchema, contentAeConfigSchema]);
export type MultVaeConfig = z.infer<typeof multVaeConfigSchema>;
export type MultDaeConfig = z.infer<typeof multDaeConfigSchema>;
export type RecVaeConfig = z.infer<typeof recVaeConfigSchema>;
export type AutoRecConfig = z.infer<typeof autoRecConfigSchema>;
export type ContentAeConfig = z.infer<typeof contentAeConfigSchema>;
export type AutoencoderConfig = z.infer<typeof autoencoderConfigSchema>;
