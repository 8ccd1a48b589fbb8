import type { ModelState } from "@mle/core";
import { Params } from "../engine/nn/index.ts";
import { trainingSchema, type TrainingConfig } from "../engine/training.ts";
import type { ModelFamily, ModelNotes } from "../family.ts";
import { autoRecModel, fitAutoRec } from "./autorec.ts";
import { autoencoderConfigSchema, type AutoencoderConfig } from "./config.ts";
import { contentModel, fitContentAe } from "./content.ts";
import { fitMult, multModel } from "./mult.ts";
import { fitRecVae, restoreRecVae } from "./recvae.ts";

const KNOBS: Record<AutoencoderConfig["variant"], TrainingConfig> = {
  multvae: { epochs: 100, learningRate: 1e-3, batchSize: 500, earlyStopping: { patience: 10 } },
  multdae: { epochs: 100, learningRate: 1e-3, batchSize: 500, earlyStopping: { patience: 10 } },
  recvae: { epochs: 50, learningRate: 5e-4, batchSize: 500, earlyStopping: { patience: 10 } },
  autorec: { epochs: 200, learningRate: 1e-3, batchSize: 256, earlyStopping: { patience: 10 } },
  content: { epochs: 100, learningRate: 1e-3, batchSize: 256, earlyStopping: { patience: 10 } },
};
const schemas = Object.fromEntries(Object.entries(KNOBS).map(([v, k]) => [v, trainingSchema(k)]));

// Whether early stopping ran depends on the split (a validation part), which the report states beside this.
const adam = (t: TrainingConfig) => `Adam (learning rate ${t.learningRate}) in batches of ${t.batchSize}, at most ${t.epochs} epochs${t.earlyStopping?.patience ? `; with a validation part, training stops after ${t.earlyStopping.patience} epochs without improvement and keeps the best epoch's weights` : ""}`;

function notes(c: AutoencoderConfig, t: TrainingConfig): ModelNotes {
  switch (c.variant) {
    case "multvae":
    case "multdae": {
      const vae = c.variant === "multvae";
      return {
        architecture: `${vae ? "Mult-VAE" : "Mult-DAE"} (Liang et al. 2018): the user's row of interactions, L2-normalised with dropout ${c.dropout}, through I → ${c.hidden} → ${c.latent}${vae ? " (μ, log σ²)" : ""} → ${c.hidden} → I (tanh), a softmax over the whole catalogue. The last layer is the item embedding (item [W_i, b_i], user [h(μ(x)), 1], d = ${c.hidden + 1}): nearest-neighbour search over items is the network's own ranking (tested), and any user — seen in training or not — folds in through the encoder.`,
        why: `${vae ? "The variational autoencoder that set the strong-generalisation numbers this project reproduces (ML-20M Recall@20 0.395, NDCG@100 0.426) and the yardstick on Microsoft Recommenders' ML-100k table (BiVAE 0.4751)" : "Mult-VAE without the variational layer: Liang et al.'s ablation, often as good on small data"}. The multinomial likelihood puts the catalogue's items in competition for probability mass, which suits top-K ranking better than Gaussian or logistic likelihoods.`,
        training: `Multinomial log-likelihood of the row${vae ? ` plus β·KL, β growing linearly to ${c.beta} over ${c.annealSteps.toLocaleString("en-US")} updates (their annealing; with fewer updates in a run it ends where it reached)` : ""}${c.l2 ? `, plus ${c.l2}·Σw²` : ""}; ${adam(t)}.`,
      };
    }
    case "recvae":
      return {
        architecture: `RecVAE (Shenbin et al. 2020): a five-layer densely connected encoder (swish, layer norm) over the normalised row to μ and log σ² (${c.latent} dimensions, ${c.hidden} hidden), a linear decoder — the item embedding (item [W_i, b_i], user [μ(x), 1]) — and a composite prior: N(0, I), the previous epoch's posterior, and a wide Gaussian.`,
        why: "The strongest published autoencoder on ML-20M strong generalisation (Recall@20 0.414, NDCG@100 0.442): the composite prior keeps the encoder from forgetting, and β(x) = γ·|x| regularises heavy users more.",
        training: `KL weighted by β(x) = ${c.gamma}·|x|; each epoch runs ${c.encoderEpochs} encoder passes (input dropout ${c.dropout}), refreshes the prior's encoder, then ${c.decoderEpochs} decoder pass(es); ${adam(t)}.`,
      };
    case "autorec":
      return {
        architecture: `${c.orientation === "item" ? "I-AutoRec" : "U-AutoRec"} (Sedhain et al. 2015): each ${c.orientation}'s ratings through ${c.hidden} sigmoid units and back. A predicted rating is a dot product: ${c.orientation === "item" ? "items are their codes [h_i, 1], users their decoder columns [W_u, b_u] (a history never trained on folds in by ridge regression on the item codes)" : "users are the encoder's code of their row [h(r_u), 1], items the decoder's columns [W_i, b_i]"}.`,
        why: c.orientation === "item" ? "The autoencoder of the published explicit-rating tables (ML-1M RMSE 0.831, ahead of biased MF's 0.845): item rows are many ratings each, so the codes are well estimated." : "The user autoencoder over rating rows write-up 002 could not make converge: with ratings kept in their scale, the loss masked to the observed entries and L2 on the weights, it trains smoothly (see the learning curve).",
        training: `Masked squared error over the observed ratings plus λ/2(‖V‖² + ‖W‖²), λ = ${c.l2}; the encoder reads ${c.centre ? "the ratings minus the training mean" : "the ratings as they are, 0 where unobserved"}; ${adam(t)}. Ratings are clipped to the training range.`,
      };
    case "content":
      return {
        architecture: `A content autoencoder (write-up 002): each movie's genres, year, mean training rating, ${c.popularity ? "log training count, " : ""}${c.tags ? `its ${c.tags} most-applied tags as TF-IDF, ` : ""}${c.genome ? "the tag genome where the release has it, " : ""}standardised, through F → ${c.hidden} → ${c.latent} → ${c.hidden} → F (ReLU); the ${c.latent}-dimensional code is the movie's vector (cosine). ${c.userWeighting === "regression" ? `A user's vector is the ridge least-squares fit of their row (1 on the movies they rated, 0 with weight ${c.unobservedWeight} elsewhere, λ ${c.userL2}) on the codes — iALS's user solve with the items fixed to their content` : `A user's vector is the sum of their movies' codes weighted by ${c.userWeighting === "centered" ? "rating minus their own mean" : c.userWeighting === "rating" ? "rating" : "1"}`}: closed form, so any user folds in.`,
        why: "It gives every movie a vector from what the movie is, not from who rated it: the cold-start case collaborative models cannot serve (movies with few or no ratings), and the write-up's own approach, now evaluated against popularity and the collaborative models on the same split.",
        training: `Reconstruction squared error of the standardised content; ${adam(t)}. The user weighting is fixed, not learned: it needs no user-side training, so new users and new movies are served the same way.`,
      };
  }
}

function restore(s: ModelState, c: AutoencoderConfig) {
  switch (c.variant) {
    case "multvae":
    case "multdae": {
      const p = Params.fromState(s);
      return multModel(p, c, p.get("p1b").shape[0]);
    }
    case "recvae":
      return restoreRecVae(s, c);
    case "autorec":
      return autoRecModel(s);
    case "content":
      return contentModel(s);
  }
}

/** Autoencoders: Mult-VAE, Mult-DAE, RecVAE (implicit feedback), AutoRec (ratings), and the content autoencoder. */
export const autoencoderFamily: ModelFamily<AutoencoderConfig, ModelState> = {
  family: "autoencoder",
  summary: "autoencoders over interaction rows (Mult-VAE, Mult-DAE, RecVAE), ratings (AutoRec) and movie content",
  config: autoencoderConfigSchema,
  training: (c) => schemas[c.variant],
  describe: (c) => ({
    multvae: `Mult-VAE (${c.variant === "multvae" ? `${c.hidden}-${c.latent}` : ""})`,
    multdae: `Mult-DAE (${c.variant === "multdae" ? `${c.hidden}-${c.latent}` : ""})`,
    recvae: `RecVAE (${c.variant === "recvae" ? `${c.hidden}-${c.latent}` : ""})`,
    autorec: `${c.variant === "autorec" && c.orientation === "user" ? "U" : "I"}-AutoRec (${c.variant === "autorec" ? c.hidden : ""})`,
    content: `content autoencoder (${c.variant === "content" ? c.latent : ""})`,
  })[c.variant],
  notes,
  fit: (train, c, ctx) => {
    switch (c.variant) {
      case "multvae":
      case "multdae":
        return fitMult(train, c, ctx);
      case "recvae":
        return fitRecVae(train, c, ctx);
      case "autorec":
        return fitAutoRec(train, c, ctx);
      case "content":
        return fitContentAe(train, c, ctx);
    }
  },
  restore,
  examples: [
    { family: "autoencoder", variant: "multvae", hidden: 16, latent: 4 },
    { family: "autoencoder", variant: "multdae", hidden: 16, latent: 4 },
    { family: "autoencoder", variant: "recvae", hidden: 16, latent: 4 },
    { family: "autoencoder", variant: "autorec", hidden: 8 },
    { family: "autoencoder", variant: "autorec", orientation: "user", hidden: 8 },
    { family: "autoencoder", variant: "content", hidden: 8, latent: 3, tags: 0 },
  ],
};
