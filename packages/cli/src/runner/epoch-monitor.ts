import { UserError, log } from "@mle/core";
import { evaluateRanking, evaluateRatings, scoreBlock, scoringSpace, type RankingTask } from "@mle/metrics";
import { tfBlockScorer, type EpochMonitor } from "@mle/models";
import type { ExperimentConfig } from "../config/schema.ts";

/** One point of a learning curve: the epoch's mean training loss and, with a validation part, the watched metric. */
export interface CurvePoint {
  epoch: number;
  loss: number;
  valid?: number;
}

const LOWER_IS_BETTER = new Set(["rmse", "mae"]);

/** The validation metric early stopping watches: the configured one, else ndcg at the first cut-off. */
export function watchedMetric(c: ExperimentConfig): string {
  return c.training.earlyStopping.metric ?? `ndcg@${c.evaluation.k[0]}`;
}

/**
 * The runner's ear on training: records the learning curve and, when the split has a validation part
 * and `training.earlyStopping.patience` > 0, evaluates the watched metric on it after every epoch and
 * stops after `patience` epochs without improvement (the model keeps its best epoch's weights).
 */
export function epochMonitor(c: ExperimentConfig, valid: RankingTask | null): { monitor: EpochMonitor; curve: CurvePoint[] } {
  const curve: CurvePoint[] = [];
  const metric = watchedMetric(c);
  const { patience } = c.training.earlyStopping;
  const watch = valid && patience > 0;
  const sign = LOWER_IS_BETTER.has(metric) ? -1 : 1;
  let best = -Infinity;
  let since = 0;
  const monitor: EpochMonitor = (epoch, loss, current) => {
    const point: CurvePoint = { epoch, loss };
    curve.push(point);
    if (!watch) return "continue";
    const model = current();
    let value: number | undefined;
    if (LOWER_IS_BETTER.has(metric)) {
      value = evaluateRatings(model, valid)?.[metric as "rmse" | "mae"];
    } else {
      const scorer = tfBlockScorer(scoreBlock);
      const r = evaluateRanking(model, valid, { k: c.evaluation.k, relevantMinRating: c.evaluation.relevantMinRating, gain: c.evaluation.gain, scorer, space: scoringSpace(model) });
      scorer.dispose();
      const values = r.perUser[metric];
      value = values ? values.reduce((a, b) => a + b, 0) / values.length : r.aggregate[metric];
    }
    if (value === undefined || !Number.isFinite(value)) {
      // The config check leaves: rating errors of a model that predicts no ratings (e.g. BPR), or no validation users.
      const why = LOWER_IS_BETTER.has(metric) ? `${model.name} predicts no ratings` : "the validation part has no user to evaluate";
      throw new UserError(`training.earlyStopping.metric: "${metric}" has no value (${why}); watch a ranking metric such as ndcg@${c.evaluation.k[0]}, or set patience: 0`);
    }
    point.valid = value;
    log(`epoch ${epoch}: loss ${loss.toFixed(4)}, valid ${metric} ${value.toFixed(4)}`);
    if (sign * value > best) {
      best = sign * value;
      since = 0;
      return "improved";
    }
    return ++since >= patience ? "stop" : "continue";
  };
  return { monitor, curve };
}
