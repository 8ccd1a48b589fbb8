import { z } from "zod";

/** Keys every MF variant has. */
const common = {
  family: z.literal("mf"),
  /** Embedding dimension d. */
  factors: z.number().int().min(1).max(4096).default(64),
  /** L2 regularisation of the embeddings. */
  l2: z.number().min(0).default(0.01),
  /** Standard deviation of the initial embeddings. */
  initStd: z.number().positive().default(0.1),
};

/** `biased`: user/item embeddings + biases, dot product, squared error on explicit ratings (write-up 000). */
export const biasedConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("biased"),
  /** Ridge λ per history rating when a user is folded in; default: l2. */
  foldInL2: z.number().positive().optional(),
});

/** `bpr`: pairwise ranking on implicit feedback (Rendle et al. 2009). */
export const bprConfigSchema = z.strictObject({ ...common, variant: z.literal("bpr") });

/** `ials`: implicit ALS (Hu et al. 2008) with Rendle et al. (2021)'s regularisation. */
export const ialsConfigSchema = z.strictObject({
  ...common,
  variant: z.literal("ials"),
  /** Weight of every unobserved entry (Rendle et al. 2021's α0). */
  unobservedWeight: z.number().min(0).default(0.1),
  /** Exact Cholesky solves, or conjugate-gradient steps warm-started from the last iterate (implicit's default). */
  solver: z.enum(["cholesky", "cg"]).default("cholesky"),
  /** With `solver: cg`: steps per row and half-iteration (implicit uses 3). */
  cgSteps: z.number().int().min(1).max(64).default(3),
});

/** The matrix factorisation family; `variant` defaults to `biased`. */
export const mfConfigSchema = z.preprocess(
  (v) => (v && typeof v === "object" && !Array.isArray(v) && !("variant" in v) ? { ...v, variant: "biased" } : v),
  z.discriminatedUnion("variant", [biasedConfigSchema, bprConfigSchema, ialsConfigSchema]),
);

export type BiasedConfig = z.infer<typeof biasedConfigSchema>;
export type BprConfig = z.infer<typeof bprConfigSchema>;
export type IalsConfig = z.infer<typeof ialsConfigSchema>;
export type MfConfig = BiasedConfig | BprConfig | IalsConfig;
/** The variants trained by per-example SGD. */
export type SgdModelConfig = BiasedConfig | BprConfig;
