import { Rng, historyKey } from "@mle/core";
import { EmbeddingTable } from "../engine/embedding-table.ts";
import { cmlGradient, grads, sampler, type Hinge } from "./cml-hinge.ts";
import { clipRow } from "./euclidean.ts";

/** How a history no training user had gets its vector (CML's config names each). */
export interface CmlFoldInOptions extends Hinge {
  epochs: number;
  learningRate: number;
  /** Adagrad is what CML trains with; plain SGD's last iterate, with the WARP weight's large steps, is noisy. */
  optimizer: "sgd" | "adagrad";
  clipNorm: number;
}

/**
 * Folds a sorted history into CML's space: from the mean of its items' vectors, the hinge on u alone, items
 * fixed, one step per sampled pair, `epochs` passes, clipped to the ball; negatives are seeded by the history,
 * so the same history always gets the same vector.
 */
export function cmlFoldIn(V: Float32Array, d: number, o: CmlFoldInOptions, seed: number, stream: string): (sorted: Int32Array) => Float32Array {
  const nItems = V.length / d;
  const rng = new Rng(seed, stream);
  const g = grads(d);
  return (sorted) => {
    const p = new Float32Array(d);
    for (const i of sorted) for (let f = 0; f < d; f++) p[f] += V[i * d + f] / sorted.length;
    clipRow(p, 0, d, o.clipNorm);
    const r = rng.fork(`fold-in/${historyKey(sorted)}`);
    const sample = sampler(r, { offsets: Uint32Array.of(0, sorted.length), items: sorted }, 0, nItems);
    // One row with its own optimizer state: training's table rule (Adagrad's accumulator starts as TensorFlow's).
    const row = new EmbeddingTable(1, d, { kind: o.optimizer, learningRate: o.learningRate }, p);
    for (let e = 0; e < o.epochs && sorted.length > 0; e++) {
      for (let k = 0; k < sorted.length; k++) {
        if (cmlGradient(p, 0, V, sorted[r.int(sorted.length)], d, o, sample, g) === 0) continue;
        row.applyRow(0, g.u);
        clipRow(p, 0, d, o.clipNorm);
      }
    }
    return p;
  };
}
