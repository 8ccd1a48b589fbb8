import { log, shaped, type EmbeddingModel, type History, type ShapedArray, type TrainSet } from "@mle/core";
import type { FitContext, Trained } from "../family.ts";
import { choleskySolve } from "../kernels/linalg/small-solve.ts";
import type { BiasedConfig } from "./config.ts";
import { initMfTables, trainSgd } from "./sgd-train.ts";

/** Item vectors [q_i, b_i] (nItems × (d+1)), the global mean, and the fold-in ridge λ. */
export type BiasedState = { itemVectors: ShapedArray<Float32Array>; mu: number; foldInL2: number };

/**
 * Biased MF on explicit ratings (write-up 000; Funk/Koren): r̂ = μ + b_u + b_i + p_u·q_i, squared error
 * with L2 on the touched rows, trained like a network: seeded shuffles, mini-batches whose gradients
 * are summed per row, and SGD, Adagrad or lazy Adam on embedding tables (batch 1 + SGD is Surprise's
 * SVD update exactly). In the embedding space an item is [q_i, b_i] and a user [p_u, 1], so
 * dot-product retrieval ranks exactly by r̂ − μ − b_u. Fold-in solves the ridge regression for
 * [p_u, b_u] with items fixed (λ scaled by the history size).
 */
export async function fitBiasedMf(train: TrainSet, c: BiasedConfig, { rng, training: o }: FitContext): Promise<Trained<BiasedState>> {
  const d = c.factors;
  const n = train.item.length;
  let mu = 0;
  for (let k = 0; k < n; k++) mu += train.rating[k];
  mu /= n;
  const { tables, optimizer } = initMfTables(train, c, o, rng, true);
  const data = { user: train.user, item: train.item, rating: train.rating, lists: { offsets: new Uint32Array(0), items: new Int32Array(0) }, nItems: train.nItems, mu };
  const state = (): BiasedState => ({ itemVectors: shaped(tables.V.weights, train.nItems, d + 1), mu, foldInL2: c.foldInL2 ?? c.l2 });
  const epochsRun = await trainSgd({ kind: "biased", label: `biased MF d=${d}`, tables, optimizer, data, o, rng, current: () => biasedModel(state()) });
  log(`biased MF: ${epochsRun} epochs, d = ${d}, ${optimizer.kind} lr = ${o.learningRate}, batch ${o.batchSize ?? 1}, λ = ${c.l2}, μ = ${mu.toFixed(4)}`);
  return { model: biasedModel(state()), state: state() };
}

/** The trained item side as a model: users fold in by ridge regression (below). */
export function biasedModel(s: BiasedState): EmbeddingModel {
  const V = s.itemVectors.data;
  const [nItems, D] = s.itemVectors.shape;
  const d = D - 1;
  const fold = (h: History) => foldIn(V, s.mu, h, d, s.foldInL2);
  return {
    name: `biased-mf(d=${d})`, dim: D, nItems, similarity: "dot", itemVectors: V,
    userVector: (h: History) => {
      const { p } = fold(h);
      const out = new Float32Array(D);
      out.set(p);
      out[d] = 1;
      return out;
    },
    predictRatings: (h: History, items: Int32Array) => {
      const { p, b } = fold(h);
      return Float32Array.from(items, (i) => {
        let r = s.mu + b + V[i * D + d];
        for (let f = 0; f < d; f++) r += p[f] * V[i * D + f];
        return Math.min(5, Math.max(0.5, r));
      });
    },
  };
}

/** argmin Σ_{i∈H} (r_i − μ − b_i − b − p·q_i)² + λ|H|(|p|² + b²) over [p, b]. */
function foldIn(V: Float32Array, mu: number, h: History, d: number, reg: number): { p: Float32Array; b: number } {
  const D = d + 1;
  const A = new Float64Array(D * D);
  const y = new Float64Array(D);
  const x = new Float64Array(D);
  for (let k = 0; k < h.items.length; k++) {
    const io = h.items[k] * D;
    for (let f = 0; f < d; f++) x[f] = V[io + f];
    x[d] = 1;
    const target = h.ratings[k] - mu - V[io + d];
    for (let a = 0; a < D; a++) {
      y[a] += x[a] * target;
      for (let b = 0; b < D; b++) A[a * D + b] += x[a] * x[b];
    }
  }
  const lambda = reg * Math.max(1, h.items.length);
  for (let a = 0; a < D; a++) A[a * D + a] += lambda;
  choleskySolve(A, y, D);
  return { p: Float32Array.from(y.subarray(0, d)), b: y[d] };
}
