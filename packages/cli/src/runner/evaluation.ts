import type { EmbeddingModel } from "@mle/core";
import { scoreBlock, scoringSpace, type RankingOptions } from "@mle/metrics";
import { tfBlockScorer } from "@mle/models";
import type { ExperimentConfig } from "../config/schema.ts";

/** A scorer that runs block matMuls on the TensorFlow.js backend; dispose it to free the uploaded item matrices. */
export type Scorer = ReturnType<typeof tfBlockScorer>;

export function newScorer(): Scorer {
  return tfBlockScorer(scoreBlock);
}

/** The one place evaluation options are built from a config: cut-offs, relevance, gain, scorer and the model's scoring space. */
export function evaluationOptions(c: ExperimentConfig, model: EmbeddingModel, scorer: Scorer): RankingOptions {
  return { k: c.evaluation.k, relevantMinRating: c.evaluation.relevantMinRating, gain: c.evaluation.gain, scorer, space: scoringSpace(model) };
}

/** The validation metric early stopping watches: the configured one, else ndcg at the first cut-off. */
export function watchedMetric(c: ExperimentConfig): string {
  return c.training.earlyStopping?.metric ?? `ndcg@${c.evaluation.k[0]}`;
}
