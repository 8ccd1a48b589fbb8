import { Rng, log, type EmbeddingModel } from "@mle/core";
import { EmbeddingTable, type SparseOptimizerOptions } from "../engine/embedding-table.ts";
import { runEpochs, shuffledBatches } from "../engine/epochs.ts";
import type { TrainingOptions } from "../engine/training.ts";
import { WorkerPool, shared } from "../engine/worker-pool.ts";
import { accumulateInto, applyAtOnce, biasedExample, biasedSgdExample, bprExample, bprSgdExample, scratch, type MfTables, type SgdData } from "./sgd-examples.ts";

export type SgdKind = "bpr" | "biased";

/** Whether a run trains Hogwild-style: several threads, per-example SGD (the only rule that needs no shared state). */
export function isHogwild(o: TrainingOptions): boolean {
  return (o.threads ?? 1) > 1 && (o.optimizer ?? "sgd") === "sgd" && (o.batchSize ?? 1) === 1;
}

/** Weight arrays in shared memory when the run is Hogwild, so worker threads update them in place. */
export function weightArray(o: TrainingOptions, n: number): Float32Array {
  return isHogwild(o) ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n);
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
 * The epochs of a per-example model. One thread: seeded shuffles, gradients summed per row within a
 * batch, one optimizer step per batch — bit-for-bit reproducible. Several threads (per-example SGD
 * only): Hogwild (Recht et al. 2011) — each thread takes a slice of the epoch's shuffled rows and
 * updates the shared tables without locks; races make runs vary slightly from one to the next.
 */
export async function trainSgd(run: SgdRun): Promise<number> {
  const { kind, tables, data, o } = run;
  const n = data.user.length;
  const threads = Math.max(1, o.threads ?? 1);
  if (threads > 1 && !isHogwild(o)) log(`${run.label}: several threads need per-example SGD (optimizer sgd, batchSize 1); training on one thread`);
  const all = [tables.P, tables.V, ...(tables.B ? [tables.B] : [])];
  const shuffle = run.rng.fork("sgd");
  const pool = isHogwild(o) ? await WorkerPool.start(new URL("./hogwild-worker.ts", import.meta.url), threads, {
    kind, optimizer: run.optimizer, weights: all.map((t) => t.weights), dims: all.map((t) => t.dim), data: shareData(data), order: new Uint32Array(0),
  }) : null;
  const order = pool ? new Uint32Array(new SharedArrayBuffer(4 * n)) : new Uint32Array(n);
  if (pool) await pool.run(Array.from({ length: pool.size }, () => ({ order })));
  const base = shuffle.fork("hogwild").int(2 ** 31);
  const g = scratch(tables.P.dim);
  const perExample = (o.optimizer ?? "sgd") === "sgd" && (o.batchSize ?? 1) === 1;
  try {
    const { epochsRun } = await runEpochs({
      label: run.label, epochs: o.epochs, monitor: o.monitor, current: run.current, weights: all.map((t) => t.weights),
      runEpoch: async (epoch) => {
        let loss = 0;
        if (!pool) {
          // Per-example SGD touches each row once per example: updating at once equals accumulate + step, without the copy.
          const example = perExample ? exampleStep(kind, tables, data, run.optimizer, g) : batchedExample(kind, tables, data, g);
          const visit = (r: number) => (loss += example(r, shuffle));
          shuffledBatches(n, o.batchSize ?? 1, shuffle, order, visit, () => all.forEach((t) => t.step()));
          return loss / n;
        }
        for (let k = 0; k < n; k++) order[k] = k;
        shuffle.shuffle(order);
        const cut = (k: number) => Math.floor((k * n) / threads);
        const others = pool.run<number>(Array.from({ length: pool.size }, (_, k) => ({ epoch, part: k + 1, from: cut(k + 1), to: cut(k + 2), base })));
        loss = hogwildPart(exampleStep(kind, tables, data, run.optimizer, g), order, epoch, 0, 0, cut(1), base);
        for (const l of await others) loss += l;
        return loss / n;
      },
    });
    return epochsRun;
  } finally {
    await pool?.close();
  }
}

/** One thread's slice of a Hogwild epoch, updating the shared tables in place; returns its summed loss. */
export function hogwildPart(step: ExampleStep, order: Uint32Array, epoch: number, part: number, from: number, to: number, base: number): number {
  const rng = new Rng(base, `hogwild/${epoch}/${part}`);
  let loss = 0;
  for (let k = from; k < to; k++) loss += step(order[k], rng);
  return loss;
}

/** One training example (row r): its update, and its loss returned. */
export type ExampleStep = (r: number, rng: Rng) => number;

/** Per-example SGD updating the rows at once; with plain SGD, the fused kernels (no gradient buffers). */
export function exampleStep(kind: SgdKind, tables: MfTables, data: SgdData, optimizer: SparseOptimizerOptions, g: ReturnType<typeof scratch>): ExampleStep {
  const { learningRate: lr, l2 = 0 } = optimizer;
  if (optimizer.kind === "sgd") return kind === "bpr" ? (r, rng) => bprSgdExample(tables, data, r, rng, lr, l2) : (r) => biasedSgdExample(tables, data, r, lr, l2);
  return kind === "bpr" ? (r, rng) => bprExample(tables, data, r, rng, g, applyAtOnce) : (r) => biasedExample(tables, data, r, g, applyAtOnce);
}

/** An example whose gradients wait in the tables for the batch's optimizer step. */
function batchedExample(kind: SgdKind, tables: MfTables, data: SgdData, g: ReturnType<typeof scratch>): ExampleStep {
  return kind === "bpr" ? (r, rng) => bprExample(tables, data, r, rng, g, accumulateInto) : (r) => biasedExample(tables, data, r, g, accumulateInto);
}

function shareData(d: SgdData): SgdData {
  return { ...d, user: shared(d.user), item: shared(d.item), rating: shared(d.rating), lists: { offsets: shared(d.lists.offsets), items: shared(d.lists.items) } };
}

/** The tables a Hogwild worker rebuilds over the shared weights. */
export function tablesOver(weights: Float32Array[], dims: number[], optimizer: SparseOptimizerOptions): MfTables {
  const [P, V, B] = weights.map((w, k) => new EmbeddingTable(w.length / dims[k], dims[k], optimizer, w));
  return { P, V, B: B ?? null };
}
