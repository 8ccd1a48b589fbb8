import { z } from "zod";

/**
 * Matrix factorisation family. `biased`: user/item embeddings + biases, dot product, MSE on
 * explicit ratings (the reference write-up 000); `bpr`: pairwise ranking on implicit feedback;
 * `ials`: implicit ALS (Hu et al. 2008, with Rendle et al. 2021's regularisation).
 */
export const mfConfigSchema = z.strictObject({
  family: z.literal("mf"),
  variant: z.enum(["biased", "bpr", "ials"]).default("biased"),
  /** Embedding dimension d. */
  factors: z.number().int().min(1).max(4096).default(64),
  /** L2 regularisation of embeddings. */
  l2: z.number().min(0).default(0.01),
  /** iALS: weight of unobserved entries (Rendle et al. 2021's α0). */
  unobservedWeight: z.number().min(0).default(0.1),
  /** iALS: exact Cholesky solves, or conjugate-gradient steps warm-started from the last iterate (implicit's default). */
  solver: z.enum(["cholesky", "cg"]).default("cholesky"),
  /** iALS with `solver: cg`: steps per row and half-iteration (implicit uses 3). */
  cgSteps: z.number().int().min(1).max(64).default(3),
  /** Ridge λ per history item when a user is folded in (biased MF); default: l2. */
  foldInL2: z.number().positive().optional(),
  /** Standard deviation of the initial embeddings. */
  initStd: z.number().positive().default(0.1),
});
export type MfConfig = z.infer<typeof mfConfigSchema>;
