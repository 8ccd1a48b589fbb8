import type { SparseOptimizerKind } from "./embedding-table.ts";
import type { EpochMonitor } from "./epochs.ts";

/** The training procedure's knobs that models use (the runner passes the config's `training`). */
export interface TrainingOptions {
  epochs: number;
  learningRate: number;
  /** Sparse optimizer of the embedding tables (default: SGD). */
  optimizer?: SparseOptimizerKind;
  /** Rows per optimizer step; gradients within a step are summed per row (default 1: per-example SGD). */
  batchSize?: number;
  /** Worker threads (iALS solves, Hogwild SGD); 1 keeps a run bit-for-bit reproducible. */
  threads?: number;
  /** Hears every epoch: learning curves and early stopping (see `EpochMonitor`). */
  monitor?: EpochMonitor;
}
