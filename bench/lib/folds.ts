import { join } from "node:path";
import type { EmbeddingModel, TrainSet } from "@mle/core";
import { evaluateRatings } from "@mle/metrics";
import { loadTsvTask } from "./tsv-task.ts";

/** RMSE and fit time on each of ML-100k's official folds u1..u5 (the files' ratings), `fit` given the fold number. */
export async function rmseOverFolds(folder: string, epochs: number, fit: (train: TrainSet, fold: number) => Promise<EmbeddingModel>): Promise<{ fold: number; rmse: number; seconds: number; secondsPerEpoch: number }[]> {
  const out = [];
  for (let k = 1; k <= 5; k++) {
    const { train, task } = await loadTsvTask(join(folder, `u${k}.base`), join(folder, `u${k}.test`), false);
    const t = performance.now();
    const model = await fit(train, k);
    const seconds = (performance.now() - t) / 1000;
    out.push({ fold: k, rmse: evaluateRatings(model, task)!.rmse, seconds, secondsPerEpoch: seconds / epochs });
  }
  return out;
}
