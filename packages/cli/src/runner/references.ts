import { Rng, setQuiet, type RankingTask, type TrainSet } from "@mle/core";
import { evaluateRanking, evaluateRatings } from "@mle/metrics";
import { fitModel, modelConfigSchema, trainingOptions, trainingSchemaFor, type ModelConfig } from "@mle/models";
import type { ExperimentConfig } from "../config/schema.ts";
import { evaluationOptions, newScorer } from "./evaluation.ts";
import { means } from "./evaluate-seed.ts";

/**
 * The models a report sets a run against, fitted on the same split: popularity for rankings, and on
 * explicit ratings the constant model of write-up 000 (global mean) and baseline-only (μ + b_u + b_i).
 * They are registered families, so `pnpm exp` runs each on its own too.
 */
export function referenceModels(c: ExperimentConfig): { name: string; config: ModelConfig }[] {
  const families = ["popularity", ...(c.data.feedback.kind === "explicit" ? ["mean", "baseline"] : [])].filter((f) => f !== c.model.family);
  const names: Record<string, string> = { popularity: "popularity", mean: "global mean (write-up 000's constant model)", baseline: "baseline-only μ + b_u + b_i" };
  return families.map((family) => ({ name: names[family], config: modelConfigSchema.parse({ family }) }));
}

/** Each reference model's test metrics on this seed (quietly: they are side rows of the report). */
export async function referenceMetrics(c: ExperimentConfig, train: TrainSet, task: RankingTask, seed: number): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const ref of referenceModels(c)) {
    const restore = setQuiet(true);
    try {
      const training = trainingOptions(trainingSchemaFor(ref.config).parse({}));
      const { model } = await fitModel(train, ref.config, { rng: new Rng(seed, `reference/${ref.config.family}`), training });
      const scorer = newScorer();
      out[ref.name] = means(await evaluateRanking(model, task, evaluationOptions(c, model, scorer)), evaluateRatings(model, task));
      scorer.dispose();
    } finally {
      setQuiet(restore);
    }
  }
  return out;
}
