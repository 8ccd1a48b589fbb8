import { UserError, log, type RankingTask } from "@mle/core";
import { evaluateRanking, evaluateRatings, lowerIsBetter } from "@mle/metrics";
import type { EpochMonitor } from "@mle/models";
import type { ExperimentConfig } from "../config/schema.ts";
import { evaluationOptions, newScorer, watchedMetric } from "./evaluation.ts";

/** One point of a learning curve: the epoch's mean training loss and, with a validation part, the watched metric. */
export interface CurvePoint {
  epoch: number;
  loss: number;
  valid?: number;
  /** NDCG at the largest cut-off on the same validation pass, when the watched metric is another ranking metric (Liang et al. watch NDCG@100). */
  alsoValid?: Record<string, number>;
}

/** What training did: its curve, and which epoch's weights the model kept. */
export interface TrainingRecord {
  /** The watched validation metric, when early stopping watched one. */
  watched?: string;
  curve: CurvePoint[];
  epochsRun: number;
  keptEpoch: number;
  stoppedEarly: boolean;
  /** Stopped by a tuner's pruning rule (`pnpm tune`), not by patience. */
  pruned?: boolean;
}

/** A tuner's rule: given the watched metric after each epoch so far (higher is better), whether to stop the trial. */
export type PruneRule = (curve: number[]) => boolean;

/**
 * The runner's ear on training: records the learning curve (and hands each point to `onPoint` as it
 * happens, for live tracking) and, when the split has a validation part and `training.earlyStopping.patience`
 * > 0, evaluates the watched metric on it after every epoch and stops after `patience` epochs without
 * improvement, never before `minEpochs` (the model keeps its best epoch's weights).
 */
export function epochMonitor(c: ExperimentConfig, valid: RankingTask | null, onPoint?: (p: CurvePoint, watched?: string) => Promise<void>, prune?: PruneRule): { monitor: EpochMonitor; record: TrainingRecord } {
  const metric = watchedMetric(c);
  const patience = c.training.earlyStopping?.patience ?? 0;
  const minEpochs = c.training.earlyStopping?.minEpochs ?? 0;
  const watch = valid !== null && patience > 0;
  const record: TrainingRecord = { watched: watch ? metric : undefined, curve: [], epochsRun: 0, keptEpoch: 0, stoppedEarly: false };
  const sign = lowerIsBetter(metric) ? -1 : 1;
  let best = -Infinity;
  let since = 0;
  const signed: number[] = [];
  const monitor: EpochMonitor = async (epoch, loss, current) => {
    const point: CurvePoint = { epoch, loss };
    record.curve.push(point);
    record.epochsRun = epoch;
    if (!watch) {
      record.keptEpoch = epoch;
      await onPoint?.(point);
      return "continue";
    }
    const { value, alsoValid } = await validationValue(c, metric, current(), valid);
    point.valid = value;
    if (alsoValid) point.alsoValid = alsoValid;
    log(`epoch ${epoch}: loss ${loss.toFixed(4)}, valid ${metric} ${value.toFixed(4)}`);
    await onPoint?.(point, metric);
    signed.push(sign * value);
    if (prune?.(signed)) {
      // A pruned trial is not a candidate for the best: which weights it keeps does not matter.
      record.pruned = true;
      record.stoppedEarly = true;
      log(`epoch ${epoch}: pruned by the tuner (valid ${metric} ${value.toFixed(4)})`);
      return "stop";
    }
    if (sign * value > best) {
      best = sign * value;
      since = 0;
      record.keptEpoch = epoch;
      return "improved";
    }
    if (++since >= patience && epoch >= minEpochs) {
      record.stoppedEarly = true;
      return "stop";
    }
    return "continue";
  };
  return { monitor, record };
}

async function validationValue(c: ExperimentConfig, metric: string, model: ReturnType<Parameters<EpochMonitor>[2]>, valid: RankingTask): Promise<{ value: number; alsoValid?: Record<string, number> }> {
  let value: number | undefined;
  let alsoValid: Record<string, number> | undefined;
  if (lowerIsBetter(metric)) {
    value = evaluateRatings(model, valid)?.[metric as "rmse" | "mae"];
  } else {
    const scorer = newScorer();
    const r = await evaluateRanking(model, valid, evaluationOptions(c, model, scorer));
    scorer.dispose();
    const mean = (name: string) => (r.perUser[name] ? r.perUser[name].reduce((a, b) => a + b, 0) / r.perUser[name].length : r.aggregate[name]);
    value = mean(metric);
    const ndcgAtMax = `ndcg@${Math.max(...c.evaluation.k)}`;
    const also = ndcgAtMax !== metric ? mean(ndcgAtMax) : undefined;
    if (also !== undefined && Number.isFinite(also)) alsoValid = { [ndcgAtMax]: also };
  }
  if (value === undefined || !Number.isFinite(value)) {
    // The config check leaves: rating errors of a model that predicts no ratings (e.g. BPR), or no validation users.
    const why = lowerIsBetter(metric) ? `${model.name} predicts no ratings` : "the validation part has no user to evaluate";
    throw new UserError(`training.earlyStopping.metric: "${metric}" has no value (${why}); watch a ranking metric such as ndcg@${c.evaluation.k[0]}, or set patience: 0`);
  }
  return { value, alsoValid };
}
