import { z } from "zod";
import type { SparseOptimizerKind } from "./embedding-table.ts";
import type { EpochMonitor } from "./epochs.ts";

/** Optimizers of the embedding tables (sparse updates of the rows a step touched) and of dense layers. */
export const OPTIMIZERS = ["adam", "adagrad", "sgd"] as const satisfies readonly SparseOptimizerKind[];

/**
 * Every training knob a family may accept, defined once. A family's `training:` section is built by
 * `trainingSchema` from the knobs it names, with its own defaults; a knob it does not name is a
 * config error, not something silently ignored.
 */
const KNOBS = {
  epochs: z.number().int().min(1),
  learningRate: z.number().positive(),
  optimizer: z.enum(OPTIMIZERS),
  /** Rows per optimizer step; gradients within a step are summed per row (1: per-example SGD). */
  batchSize: z.number().int().min(1),
  /** Worker threads (iALS solves, Hogwild SGD); 1 keeps a run bit-for-bit reproducible. */
  threads: z.number().int().min(1),
  /**
   * Stop when the validation metric (default ndcg at the first evaluation.k) has not improved for `patience`
   * epochs (0: never), but not before `minEpochs` (slow starters such as BERT4Rec plateau early). With `users`, each
   * epoch's check ranks a fixed seeded sample of that many validation users, not all of them (at full size a
   * validation pass costs more than an epoch of the cheap models); the reported validation metrics use every user.
   */
  earlyStopping: z.strictObject({
    metric: z.string().optional(), patience: z.number().int().min(0).default(3), minEpochs: z.number().int().min(0).default(0),
    users: z.number().int().min(1).optional(),
  }),
};

export interface EarlyStopping {
  metric?: string;
  patience: number;
  minEpochs?: number;
  /** Validation users each epoch's check ranks (a fixed sample; default all). */
  users?: number;
}

/** A `training:` section as parsed: the knobs its family accepts. */
export interface TrainingConfig {
  epochs?: number;
  learningRate?: number;
  optimizer?: SparseOptimizerKind;
  batchSize?: number;
  threads?: number;
  earlyStopping?: EarlyStopping;
}

/** The `training:` schema of a family: exactly the knobs given, each defaulting to the value given. */
export function trainingSchema(defaults: TrainingConfig): z.ZodType<TrainingConfig> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, value] of Object.entries(defaults) as [keyof TrainingConfig, unknown][]) {
    shape[key] = (KNOBS[key] as z.ZodType).default(value as never);
  }
  return z.strictObject(shape) as unknown as z.ZodType<TrainingConfig>;
}

/** The knobs every trainer reads, resolved: what the config gave, the engine's defaults for the rest. */
export interface TrainingOptions {
  epochs: number;
  learningRate: number;
  optimizer?: SparseOptimizerKind;
  batchSize?: number;
  threads?: number;
  /** Hears every epoch: learning curves and early stopping (see `EpochMonitor`). */
  monitor?: EpochMonitor;
}

export function trainingOptions(c: TrainingConfig, monitor?: EpochMonitor): TrainingOptions {
  return { epochs: c.epochs ?? 20, learningRate: c.learningRate ?? 0.001, optimizer: c.optimizer, batchSize: c.batchSize, threads: c.threads, monitor };
}
