import { Rng, log, type EmbeddingModel, type History } from "@mle/core";
import { runEpochs } from "../engine/epochs.ts";
import type { TrainingOptions } from "../engine/training.ts";
import { choleskySolve, gramian } from "../linalg/small-solve.ts";
import { byUser, type TrainSet } from "../train-set.ts";
import type { MfConfig } from "./config.ts";

/**
 * iALS (Hu et al. 2008) in Rendle et al. (2021)'s form: minimise
 *   Σ_{(u,i) observed} (1 − p_u·q_i)² + α0 Σ_{all u,i} (p_u·q_i)² + λ Σ_u (|I_u| + α0|I|) |p_u|² + (same for items),
 * by alternating exact solves: p_u = (α0 QᵀQ + Σ_{i∈I_u} q_i q_iᵀ + λ_u I)⁻¹ Σ_{i∈I_u} q_i.
 * Fold-in is the same user solve with the item vectors fixed, so any history gets its vector.
 */
export async function fitIals(train: TrainSet, c: MfConfig, o: TrainingOptions, rng: Rng): Promise<EmbeddingModel> {
  const d = c.factors;
  const users = byUser(train);
  const items = byUser({ ...train, nUsers: train.nItems, nItems: train.nUsers, user: train.item, item: train.user });
  const init = rng.fork("init");
  const scale = c.initStd / Math.sqrt(d);
  const P = Float32Array.from({ length: train.nUsers * d }, () => init.normal() * scale);
  const Q = Float32Array.from({ length: train.nItems * d }, () => init.normal() * scale);
  const model = (): EmbeddingModel => {
    const G = gramian(Q, train.nItems, d);
    return { name: `ials(d=${d})`, dim: d, nItems: train.nItems, similarity: "dot", itemVectors: Q, userVector: (h: History) => foldIn(Q, G, h.items, train.nItems, d, c) };
  };
  const { epochsRun } = await runEpochs({
    label: `iALS d=${d}`, epochs: o.epochs, monitor: o.monitor, current: model, weights: [P, Q],
    runEpoch: () => {
      solveSide(P, Q, users, train.nUsers, train.nItems, d, c);
      solveSide(Q, P, items, train.nItems, train.nUsers, d, c);
      return NaN;
    },
  });
  log(`iALS: ${epochsRun} iterations, d = ${d}, λ = ${c.l2}, α0 = ${c.unobservedWeight}`);
  return model();
}

/** Rows of X solved against the fixed other side Y (n × d), for every entity with its CSR list. */
function solveSide(X: Float32Array, Y: Float32Array, lists: { offsets: Uint32Array; items: Int32Array }, nX: number, nY: number, d: number, c: MfConfig): void {
  const G = gramian(Y, nY, d);
  for (let x = 0; x < nX; x++) {
    const a = lists.offsets[x];
    const e = lists.offsets[x + 1];
    X.set(solveOne(Y, G, lists.items.subarray(a, e), nY, d, c), x * d);
  }
}

/** The user solve with items fixed: what training does for every user, and what fold-in does for a new one. */
export function foldIn(Q: Float32Array, G: Float64Array, items: ArrayLike<number>, nItems: number, d: number, c: MfConfig): Float32Array {
  return solveOne(Q, G, items, nItems, d, c);
}

function solveOne(Y: Float32Array, G: Float64Array, items: ArrayLike<number>, nY: number, d: number, c: MfConfig): Float32Array {
  const a0 = c.unobservedWeight;
  const A = new Float64Array(d * d);
  for (let k = 0; k < d * d; k++) A[k] = a0 * G[k];
  const b = new Float64Array(d);
  for (let j = 0; j < items.length; j++) {
    const o = items[j] * d;
    for (let p = 0; p < d; p++) {
      const yp = Y[o + p];
      b[p] += yp;
      for (let q = p; q < d; q++) A[p * d + q] += yp * Y[o + q];
    }
  }
  for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) A[p * d + q] = A[q * d + p];
  const reg = c.l2 * (items.length + a0 * nY);
  for (let p = 0; p < d; p++) A[p * d + p] += reg;
  choleskySolve(A, b, d);
  return Float32Array.from(b);
}
