import { Rng, UserError, type EmbeddingModel } from "@mle/core";
import { fitEase } from "./baselines/ease.ts";
import { fitPopularity } from "./baselines/popularity.ts";
import { fitRandom } from "./baselines/random.ts";
import type { ModelConfig } from "./config.ts";
import type { TrainSet } from "./train-set.ts";
import { fitBiasedMf } from "./mf/biased.ts";
import { fitBpr } from "./mf/bpr.ts";
import { fitIals } from "./mf/ials.ts";
import type { TrainingOptions } from "./engine/training.ts";


/** Fits the configured model on `train`; every random choice comes from `rng`. */
export async function fitModel(config: ModelConfig, train: TrainSet, rng: Rng, training: TrainingOptions = { epochs: 20, learningRate: 0.01 }): Promise<EmbeddingModel> {
  switch (config.family) {
    case "popularity":
      return fitPopularity(train);
    case "random":
      return fitRandom(train, config, rng);
    case "ease":
      return fitEase(train, config);
    case "mf":
      if (config.variant === "ials") return fitIals(train, config, training, rng);
      if (config.variant === "bpr") return fitBpr(train, config, training, rng);
      return fitBiasedMf(train, config, training, rng);
    default:
      throw new UserError(`model family "${(config as { family: string }).family}" cannot be trained yet: its trainer is not built`);
  }
}

/** A line for tables and reports: what was fitted. */
export function describeModel(config: ModelConfig): string {
  switch (config.family) {
    case "ease":
      return `EASE, λ = ${config.lambda}`;
    case "random":
      return `random (d = ${config.factors})`;
    case "popularity":
      return "popularity";
    case "mf":
      return `MF ${config.variant} (d = ${config.factors})`;
  }
}
