import { trainingSchema, type TrainingConfig } from "../engine/training.ts";
import type { ModelFamily, ModelNotes } from "../family.ts";
import { biasedModel, fitBiasedMf, type BiasedState } from "./biased.ts";
import { bprModel, fitBpr, type BprState } from "./bpr.ts";
import { mfConfigSchema, type MfConfig } from "./config.ts";
import { fitIals, ialsModel, type IalsState } from "./ials.ts";

export type MfState = BiasedState | BprState | IalsState;

/** SGD-trained variants: every knob of the embedding-table engine; iALS: iterations and threads only. */
const sgdTraining = trainingSchema({ epochs: 20, learningRate: 0.001, optimizer: "adam", batchSize: 1024, threads: 1, earlyStopping: { patience: 3 } });
const alsTraining = trainingSchema({ epochs: 20, threads: 1, earlyStopping: { patience: 3 } });

const sgdProcedure = (t: TrainingConfig) =>
  `${t.optimizer === "sgd" && t.batchSize === 1 ? "per-example SGD" : `${t.optimizer}, batches of ${t.batchSize}`}, learning rate ${t.learningRate}, up to ${t.epochs} epochs on ${t.threads} thread(s)`;

function notes(c: MfConfig, t: TrainingConfig): ModelNotes {
  if (c.variant === "ials")
    return {
      architecture: `Implicit ALS (Hu et al. 2008) in Rendle et al. (2021)'s form, d = ${c.factors}: user and item embeddings, dot product; unobserved pairs weighted α0 = ${c.unobservedWeight}, L2 λ = ${c.l2} scaled by (|I_u| + α0·|I|).`,
      why: "The classic implicit-feedback factorisation; Rendle et al. (2021) show that, well tuned, it matches much newer models on MovieLens. Its user step is a closed-form solve, which is exactly fold-in.",
      training: `Alternating least-squares solves (users, then items; ${c.solver === "cg" ? `${c.cgSteps} conjugate-gradient steps per row` : "exact Cholesky"}) for up to ${t.epochs} iterations on ${t.threads} thread(s). A user's vector at evaluation is the exact solve from their history with the item vectors fixed.`,
    };
  if (c.variant === "bpr")
    return {
      architecture: `BPR (Rendle et al. 2009), d = ${c.factors}: user and item embeddings plus an item bias folded into an extra dimension ([q_i, b_i] · [p_u, 1]).`,
      why: "The standard pairwise ranking loss for implicit feedback, and the model of the Microsoft Recommenders ML-100k table this project reproduces (Cornac BPR NDCG@10 0.442).",
      training: `One uniformly sampled unseen negative per training interaction (seeded), L2 λ = ${c.l2}, initial s.d. ${c.initStd}; ${sgdProcedure(t)}. A user's vector at evaluation is their trained vector, or for a history never trained on the same SGD on p alone with the items fixed.`,
    };
  return {
    architecture: `Biased matrix factorisation trained as a neural network (write-up 000), d = ${c.factors}: r̂ = μ + b_u + b_i + p_u·q_i; item vectors [q_i, b_i], user vectors [p_u, 1].`,
    why: "The reference write-up 000's model, and the explicit-rating baseline of the published tables (Surprise SVD RMSE 0.934 on ML-100k).",
    training: `Squared error with L2 λ = ${c.l2}, initial s.d. ${c.initStd}; ${sgdProcedure(t)}. A user's vector at evaluation is the ridge solve for [p_u, b_u] from their history (λ = ${c.foldInL2 ?? c.l2} per rating), items fixed.`,
  };
}

/** Matrix factorisation: biased MF (explicit ratings), BPR and iALS (implicit feedback). */
export const mfFamily: ModelFamily<MfConfig, MfState> = {
  family: "mf",
  summary: "matrix factorisation: biased MF on ratings, BPR and iALS on implicit feedback",
  config: mfConfigSchema,
  training: (c) => (c.variant === "ials" ? alsTraining : sgdTraining),
  describe: (c) => `MF ${c.variant} (d = ${c.factors})`,
  notes,
  fit: (train, c, ctx) => (c.variant === "ials" ? fitIals(train, c, ctx) : c.variant === "bpr" ? fitBpr(train, c, ctx) : fitBiasedMf(train, c, ctx)),
  restore: (s, c) => (c.variant === "ials" ? ialsModel(s as IalsState) : c.variant === "bpr" ? bprModel(s as BprState) : biasedModel(s as BiasedState)),
  examples: [
    { family: "mf", variant: "biased", factors: 4 },
    { family: "mf", variant: "bpr", factors: 4 },
    { family: "mf", variant: "ials", factors: 4, solver: "cg" },
  ],
};
