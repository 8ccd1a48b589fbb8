// Worker entry: Hogwild slices of per-example SGD epochs over tables in shared memory.
import { parentPort, workerData } from "node:worker_threads";
import type { SparseOptimizerOptions } from "../engine/embedding-table.ts";
import type { SgdData } from "./sgd-examples.ts";
import { hogwildPart, sgdStep, tablesOver, type SgdKind } from "./sgd-step.ts";

const w = workerData as { kind: SgdKind; optimizer: SparseOptimizerOptions; weights: Float32Array[]; dims: number[]; data: SgdData };
const tables = tablesOver(w.weights, w.dims, w.optimizer);
const step = sgdStep(w.kind, tables, w.data, w.optimizer);
let order: Uint32Array = new Uint32Array(0);
parentPort!.on("message", (m: { order?: Uint32Array; epoch: number; part: number; from: number; to: number; base: number }) => {
  if (m.order) {
    order = m.order;
    return parentPort!.postMessage(0);
  }
  parentPort!.postMessage(hogwildPart(step, order, m.epoch, m.part, m.from, m.to, m.base));
});
