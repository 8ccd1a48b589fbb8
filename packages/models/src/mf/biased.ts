import { Rng, log, type EmbeddingModel, type History } from "@mle/core";
import { sgdEpochs } from "./sgd-epochs.ts";
import { choleskySolve } from "../linalg/small-solve.ts";
import type { TrainSet } from "../train-set.ts";
import type { SgdOptions } from "./bpr.ts";
import type { MfConfig } from "./config.ts";

/**
 * Biased MF on explicit ratings (write-up 000; Funk/Koren): r̂ = μ + b_u + b_i + p_u·q_i, squared error
 * with L2, per-rating SGD in a seeded order (the update Surprise's SVD makes). In the embedding space
 * an item is [q_i, b_i] and a user [p_u, 1], so dot-product retrieval ranks exactly by r̂ − μ − b_u.
 * Fold-in solves the ridge regression for [p_u, b_u] with items fixed (λ scaled by the history size).
 */
export function fitBiasedMf(train: TrainSet, c: MfConfig, o: SgdOptions, rng: Rng): EmbeddingModel {
  const d = c.factors;
  const D = d + 1;
  const n = train.item.length;
  let mu = 0;
  for (let k = 0; k < n; k++) mu += train.rating[k];
  mu /= n;
  const init = rng.fork("init");
  const P = Float32Array.from({ length: train.nUsers * d }, () => init.normal() * c.initStd);
  const bu = new Float32Array(train.nUsers);
  const V = new Float32Array(train.nItems * D); // [q_i, b_i]
  for (let i = 0; i < train.nItems; i++) for (let f = 0; f < d; f++) V[i * D + f] = init.normal() * c.initStd;
  const lr = o.learningRate;
  const reg = c.l2;
  sgdEpochs(`biased MF d=${d}`, o.epochs, n, rng.fork("sgd"), (r) => {
    const u = train.user[r];
    const po = u * d;
    const io = train.item[r] * D;
    let pred = mu + bu[u] + V[io + d];
    for (let f = 0; f < d; f++) pred += P[po + f] * V[io + f];
    const err = train.rating[r] - pred;
    bu[u] += lr * (err - reg * bu[u]);
    V[io + d] += lr * (err - reg * V[io + d]);
    for (let f = 0; f < d; f++) {
      const pf = P[po + f];
      const qf = V[io + f];
      P[po + f] += lr * (err * qf - reg * pf);
      V[io + f] += lr * (err * pf - reg * qf);
    }
  });
  log(`biased MF: ${o.epochs} epochs, d = ${d}, lr = ${lr}, λ = ${reg}, μ = ${mu.toFixed(4)}`);
  const fold = (h: History) => foldIn(V, mu, h, d, c.foldInL2 ?? reg);
  return {
    name: `biased-mf(d=${d})`, dim: D, nItems: train.nItems, similarity: "dot", itemVectors: V,
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
        let s = mu + b + V[i * D + d];
        for (let f = 0; f < d; f++) s += p[f] * V[i * D + f];
        return Math.min(5, Math.max(0.5, s));
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
