import { Rng, log, type EmbeddingModel, type TrainSet } from "@mle/core";
import { EmbeddingTable, type SparseOptimizerOptions } from "../engine/embedding-table.ts";
import { runEpochs, shuffleRows, shuffledBatches } from "../engine/epochs.ts";
import type { TrainingOptions } from "../engine/training.ts";
import { WorkerPool, shared } from "../engine/worker-pool.ts";
import type { MfTables, SgdData } from "../kernels/sgd-examples.ts";
import { batchedStep, hogwildPart, sgdStep, slice, type SgdKind } from "../kernels/sgd-step.ts";
import type { SgdModelConfig } from "./config.ts";

/** Plain SGD one example at a time: the update the fused kernels make in place (and the only one Hogwild can share). */
function isPerExampleSgd(o: TrainingOptions): boolean {
  return (o.optimizer ?? "sgd") === "sgd" && (o.batchSize ?? 1) === 1;
}

/** Whether a run trains Hogwild-style: several threads, per-example SGD (the only rule that needs no shared state). */
export function isHogwild(o: TrainingOptions): boolean {
  return (o.threads ?? 1) > 1 && isPerExampleSgd(o);
}

/**
 * The tables of BPR or biased MF, seeded: P (users × d) and V = [q_i, b_i] Gaussian with s.d. initStd,
 * biases at 0, a user-bias table B for biased MF. In shared memory for Hogwild runs, so worker threads
 * update them in place.
 */
export function initMfTables(train: TrainSet, c: SgdModelConfig, o: TrainingOptions, rng: Rng, userBias: boolean): { tables: MfTables; optimizer: SparseOptimizerOptions } {
  const d = c.factors;
  const D = d + 1;
  const weights = (n: number) => (isHogwild(o) ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n));
  const init = rng.fork("init");
  const p = weights(train.nUsers * d);
  const v = weights(train.nItems * D);
  for (let k = 0; k < p.length; k++) p[k] = init.normal() * c.initStd;
  for (let i = 0; i < train.nItems; i++) for (let f = 0; f < d; f++) v[i * D + f] = init.normal() * c.initStd;
  const optimizer = { kind: o.optimizer ?? "sgd", learningRate: o.learningRate, l2: c.l2 } as const;
  const table = (rows: number, dim: number, w: Float32Array) => new EmbeddingTable(rows, dim, optimizer, w);
  const B = userBias ? table(train.nUsers, 1, weights(train.nUsers)) : null;
  return { tables: { P: table(train.nUsers, d, p), V: table(train.nItems, D, v), B }, optimizer };
}

interface SgdRun {
  kind: SgdKind;
  label: string;
  tables: MfTables;
  optimizer: SparseOptimizerOptions;
  data: SgdData;
  o: TrainingOptions;
  rng: Rng;
  current: () => EmbeddingModel;
}

/**
 * The epochs of a per-example model. One thread: seeded shuffles; plain per-example SGD updates in place
 * (fused kernels), anything else sums gradients per row within a batch and takes one optimizer step per
 * batch — bit-for-bit reproducible either way. Several threads (per-example SGD only): Hogwild (Recht et
 * al. 2011) — each thread takes a slice of the epoch's shuffled rows and updates the shared tables
 * without locks; races make runs vary slightly from one to the next.
 */
export async function trainSgd(run: SgdRun): Promise<number> {
  const { kind, tables, data, o } = run;
  const n = data.user.length;
  const threads = Math.max(1, o.threads ?? 1);
  if (threads > 1 && !isHogwild(o)) log(`${run.label}: several threads need per-example SGD (optimizer sgd, batchSize 1); training on one thread`);
  const all = [tables.P, tables.V, ...(tables.B ? [tables.B] : [])];
  const shuffle = run.rng.fork("sgd");
  const pool = isHogwild(o) ? await WorkerPool.start(new URL("../kernels/hogwild-worker.ts", import.meta.url), threads, {
    kind, optimizer: run.optimizer, weights: all.map((t) => t.weights), dims: all.map((t) => t.dim), data: shareData(data), order: new Uint32Array(0),
  }) : null;
  const order = pool ? new Uint32Array(new SharedArrayBuffer(4 * n)) : new Uint32Array(n);
  if (pool) await pool.run(Array.from({ length: pool.size }, () => ({ order })));
  const base = shuffle.fork("hogwild").int(2 ** 31);
  const inPlace = isPerExampleSgd(o) ? sgdStep(kind, tables, data, run.optimizer) : null;
  const batched = inPlace ? null : batchedStep(kind, tables, data);
  try {
    const { epochsRun } = await runEpochs({
      label: run.label, epochs: o.epochs, monitor: o.monitor, current: run.current, weights: all.map((t) => t.weights),
      unit: "rows",
      runEpoch: async (epoch, progress) => {
        if (batched) {
          let loss = 0;
          shuffledBatches(o.batchSize ?? 1, shuffle, order, (r) => (loss += batched(r, shuffle)), () => all.forEach((t) => t.step()), progress);
          return loss / n;
        }
        shuffleRows(order, shuffle);
        if (!pool) return slice(inPlace!, order, 0, n, shuffle) / n;
        const cut = (k: number) => Math.floor((k * n) / threads);
        const others = pool.run<number>(Array.from({ length: pool.size }, (_, k) => ({ epoch, part: k + 1, from: cut(k + 1), to: cut(k + 2), base })));
        let loss = hogwildPart(inPlace!, order, epoch, 0, 0, cut(1), base);
        for (const l of await others) loss += l;
        return loss / n;
      },
    });
    return epochsRun;
  } finally {
    await pool?.close();
  }
}

function shareData(d: SgdData): SgdData {
  return { ...d, user: shared(d.user), item: shared(d.item), rating: shared(d.rating), lists: { offsets: shared(d.lists.offsets), items: shared(d.lists.items) } };
}
