import type { ModelConfig } from "./config.ts";

/** What a report says about a model: its architecture, why it is here, and how it is trained and validated. */
export interface ModelNotes {
  architecture: string;
  why: string;
  training: string;
}

export function modelNotes(c: ModelConfig): ModelNotes {
  switch (c.family) {
    case "popularity":
      return {
        architecture: "A one-dimensional embedding space: each item's vector is its number of training interactions, every user's vector is [1], so every user gets the same ranking (minus what they have seen).",
        why: "The floor every model must clear, like the constant model of write-up 000: a learned model that does not beat popularity has learned nothing personal.",
        training: "Counting; no hyperparameters, no validation needed.",
      };
    case "random":
      return {
        architecture: `Gaussian item vectors and a Gaussian user vector (d = ${c.factors}) seeded by the run seed and the user's history.`,
        why: "The absolute floor: what any metric looks like by chance on this catalogue.",
        training: "None.",
      };
    case "ease":
      return {
        architecture: `EASE (Steck 2019): an item-item linear autoencoder with a zero diagonal, B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, λ = ${c.lambda}. In the embedding space the dimension is the number of items: an item's vector is its column of B, a user's vector is their binary history row, and the score is their dot product.`,
        why: "The strongest simple reference on MovieLens: on ML-20M strong generalisation it is within a few percent of Mult-VAE and RecVAE (Recall@20 0.391 vs 0.395 and 0.414), and on RecBole's ML-1M benchmark ahead of Mult-VAE (Recall@10 0.2139 vs 0.1995) — closed-form and deterministic, the yardstick the neural families must beat.",
        training: "One closed-form solve on the training interactions (binary). λ is the only hyperparameter; it is chosen on the validation part (or on validation seeds kept apart from the reporting seeds) and recorded in the config.",
      };
    case "mf":
      if (c.variant === "ials")
        return {
          architecture: `Implicit ALS (Hu et al. 2008) in Rendle et al. (2021)'s form, d = ${c.factors}: user and item embeddings, dot product; unobserved pairs weighted α0 = ${c.unobservedWeight}, L2 λ = ${c.l2} scaled by (|I_u| + α0·|I|).`,
          why: "The classic implicit-feedback factorisation; Rendle et al. (2021) show that, well tuned, it matches much newer models on MovieLens. Its user step is a closed-form solve, which is exactly fold-in.",
          training: "Alternating exact least-squares solves (users, then items) for the configured number of iterations (training.epochs). A user's vector at evaluation is the same solve from their history with the item vectors fixed.",
        };
      if (c.variant === "bpr")
        return {
          architecture: `BPR (Rendle et al. 2009), d = ${c.factors}: user and item embeddings plus an item bias folded into an extra dimension ([q_i, b_i] · [p_u, 1]).`,
          why: "The standard pairwise ranking loss for implicit feedback, and the model of the Microsoft Recommenders ML-100k table this project reproduces (Cornac BPR NDCG@10 0.442).",
          training: `SGD over every training interaction per epoch with one uniformly sampled unseen negative (seeded), L2 λ = ${c.l2}. A user's vector at evaluation is the same SGD on p alone from their history, items fixed.`,
        };
      return {
        architecture: `Biased matrix factorisation trained as a neural network (write-up 000), d = ${c.factors}: r̂ = μ + b_u + b_i + p_u·q_i; item vectors [q_i, b_i], user vectors [p_u, 1].`,
        why: "The reference write-up 000's model, and the explicit-rating baseline of the published tables (Surprise SVD RMSE 0.934 on ML-100k).",
        training: `Per-rating SGD on squared error with L2 λ = ${c.l2} (training.learningRate, training.epochs). A user's vector at evaluation is the ridge solve for [p_u, b_u] from their history, items fixed.`,
      };
  }
}
