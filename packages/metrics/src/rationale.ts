/** The reasoning behind the evaluation, quoted in every report. */
export const EVALUATION_RATIONALE =
  "Every item of the catalogue is scored for every evaluated user through the model's own embedding space, " +
  "the items already in the user's history are excluded, and the exact top-K is taken. No sampled negatives: " +
  "Krichene & Rendle (2020) show that metrics over a few sampled items can reverse the order of models. " +
  "Recall@K (hits / relevant) is the field's most-quoted accuracy measure, but cannot reach 1 when a user has more " +
  "relevant items than K, so Liang et al.'s recall (hits / min(K, relevant)) is reported beside it; NDCG@K rewards " +
  "putting hits near the top; MRR tells how far down the first hit is; coverage and novelty tell whether a model " +
  "only repeats the popular head. Per-user values are kept, so results carry 95% intervals over seeds and paired " +
  "tests between models on the same users.";
