import { Rng } from "@mle/core";
import { EmbeddingTable, type SparseOptimizerOptions } from "../engine/embedding-table.ts";
import { biasedExample, biasedSgdExample, bprExample, bprSgdExample, scratch, type MfTables, type SgdData } from "./sgd-examples.ts";

export type SgdKind = "bpr" | "biased";

/** One training example (row r): its update, and its loss returned. */
export type ExampleStep = (r: number, rng: Rng) => number;

/** Rows order[from, to) through `step`; returns their summed loss. */
export function slice(step: ExampleStep, order: Uint32Array, from: number, to: number, rng: Rng): number {
  let loss = 0;
  for (let k = from; k < to; k++) loss += step(order[k], rng);
  return loss;
}

/** One thread's slice of a Hogwild epoch (its own seeded stream), updating the shared tables in place. */
export function hogwildPart(step: ExampleStep, order: Uint32Array, epoch: number, part: number, from: number, to: number, base: number): number {
  return slice(step, order, from, to, new Rng(base, `hogwild/${epoch}/${part}`));
}

/** Plain per-example SGD in place: the fused kernels (no gradient buffers, no optimizer step). */
export function sgdStep(kind: SgdKind, tables: MfTables, data: SgdData, optimizer: SparseOptimizerOptions): ExampleStep {
  const { learningRate: lr, l2 = 0 } = optimizer;
  return kind === "bpr" ? (r, rng) => bprSgdExample(tables, data, r, rng, lr, l2) : (r) => biasedSgdExample(tables, data, r, lr, l2);
}

/** An example whose gradients wait in the tables for the batch's optimizer step. */
export function batchedStep(kind: SgdKind, tables: MfTables, data: SgdData): ExampleStep {
  const g = scratch(tables.P.dim);
  return kind === "bpr" ? (r, rng) => bprExample(tables, data, r, rng, g) : (r) => biasedExample(tables, data, r, g);
}

/** The tables a Hogwild worker rebuilds over the shared weights. */
export function tablesOver(weights: Float32Array[], dims: number[], optimizer: SparseOptimizerOptions): MfTables {
  const [P, V, B] = weights.map((w, k) => new EmbeddingTable(w.length / dims[k], dims[k], optimizer, w));
  return { P, V, B: B ?? null };
}
