import { log, progressBar, stepProgress, yieldToEvents, type EmbeddingModel, type Rng, type StepProgress } from "@mle/core";

/** What the caller says after an epoch: the model got better (keep these weights), no better, or stop now. */
export type EpochVerdict = "improved" | "continue" | "stop";

/**
 * Called after every epoch with the epoch's mean training loss and a way to view the current weights
 * as a model (the runner evaluates the validation part with it, logs a learning curve, and decides on
 * early stopping). Models never see tracking; they only hear verdicts.
 */
export type EpochMonitor = (epoch: number, loss: number, current: () => EmbeddingModel) => EpochVerdict | Promise<EpochVerdict>;

export interface EpochLoop {
  label: string;
  epochs: number;
  /**
   * One pass; returns the mean training loss (NaN where the method has none to report). A long pass calls
   * `progress(done, total)` as it goes (in `unit`s), which prints a line now and then once the pass runs long.
   */
  runEpoch: (epoch: number, progress: StepProgress) => number | Promise<number>;
  /** What `progress` counts (default "batches"). */
  unit?: string;
  /** The model over the current weights (cheap: it shares the arrays). */
  current: () => EmbeddingModel;
  /** What a snapshot must hold to restore the best epoch: the arrays, or a network's own snapshot/restore. */
  weights: Float32Array[] | { snapshot: () => Float32Array[]; restore: (s: Float32Array[]) => void };
  monitor?: EpochMonitor;
}

/**
 * Runs the epochs with a progress bar. With a monitor, the weights of the last "improved" epoch are
 * kept and restored at the end (early stopping returns the best validated model, not the last).
 */
export async function runEpochs(loop: EpochLoop): Promise<{ epochsRun: number; bestEpoch: number; lastLoss: number }> {
  const bar = progressBar(loop.label, loop.epochs, { unit: "items" });
  let best: Float32Array[] | null = null;
  let bestEpoch = loop.epochs;
  let epochsRun = 0;
  let lastLoss = NaN;
  for (let e = 1; e <= loop.epochs; e++) {
    lastLoss = await loop.runEpoch(e, stepProgress(`${loop.label} epoch ${e}`, loop.unit ?? "batches"));
    epochsRun = e;
    bar.update(e);
    const verdict = loop.monitor ? await loop.monitor(e, lastLoss, loop.current) : "continue";
    if (verdict === "improved") {
      best = Array.isArray(loop.weights) ? loop.weights.map((w) => w.slice()) : loop.weights.snapshot();
      bestEpoch = e;
    }
    if (verdict === "stop") break;
    await yieldToEvents(); // a Ctrl-C is heard between epochs
  }
  bar.stop();
  if (loop.monitor && best) {
    const kept = best;
    if (Array.isArray(loop.weights)) loop.weights.forEach((w, k) => w.set(kept[k]));
    else loop.weights.restore(kept);
    if (bestEpoch !== epochsRun) log(`${loop.label}: kept epoch ${bestEpoch}'s weights (best on validation), ran ${epochsRun}`);
  } else if (loop.monitor) bestEpoch = epochsRun;
  return { epochsRun, bestEpoch, lastLoss };
}

/** Fills `order` with 0..n−1 in a fresh seeded shuffle (n = order.length). */
export function shuffleRows(order: Uint32Array, rng: Rng): void {
  for (let k = 0; k < order.length; k++) order[k] = k;
  rng.shuffle(order);
}

/**
 * Visits rows 0..n−1 (n = order.length) in a fresh seeded shuffle, calling `endBatch` after every `batchSize` rows
 * and `progress` (in rows) every 4,096 rows, so a per-row loop does not read the clock per row.
 */
export function shuffledBatches(batchSize: number, rng: Rng, order: Uint32Array, visit: (row: number) => void, endBatch: () => void, progress?: StepProgress): void {
  shuffleRows(order, rng);
  const n = order.length;
  for (let k = 0; k < n; k++) {
    visit(order[k]);
    if ((k + 1) % batchSize === 0 || k === n - 1) endBatch();
    if (progress && (k & 4095) === 4095) progress(k + 1, n);
  }
}
