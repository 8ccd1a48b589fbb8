import { itemLists, log, shaped, userLists, type EmbeddingModel, type History, type ShapedArray, type TrainSet } from "@mle/core";
import { runEpochs } from "../engine/epochs.ts";
import { shared } from "../engine/worker-pool.ts";
import type { FitContext, Trained } from "../family.ts";
import { AlsPool } from "../kernels/ials-pool.ts";
import { exactSolve, ialsLoss, solveRows, type AlsParams } from "../kernels/ials-solve.ts";
import { gramian } from "../kernels/linalg/small-solve.ts";
import type { CsrLists } from "../kernels/lists.ts";
import type { IalsConfig } from "./config.ts";

/** Item factors (nItems × d) and the regularisation the user solve (fold-in) needs. */
export type IalsState = { itemFactors: ShapedArray<Float32Array>; l2: number; unobservedWeight: number };

/**
 * iALS (Hu et al. 2008) in Rendle et al. (2021)'s form: minimise
 *   Σ_{(u,i) observed} (1 − p_u·q_i)² + α0 Σ_{all u,i} (p_u·q_i)² + λ Σ_u (|I_u| + α0|I|) |p_u|² + (same for items),
 * by alternating solves: p_u = (α0 QᵀQ + Σ_{i∈I_u} q_i q_iᵀ + λ_u I)⁻¹ Σ_{i∈I_u} q_i — exact (Cholesky) or
 * a few conjugate-gradient steps (`solver: cg`), over `training.threads` threads (same result for any count).
 * Fold-in is the exact user solve with the item vectors fixed, so any history gets its vector.
 */
export async function fitIals(train: TrainSet, c: IalsConfig, { rng, training: o }: FitContext): Promise<Trained<IalsState>> {
  const d = c.factors;
  const threads = Math.max(1, o.threads ?? 1);
  const params: AlsParams = { d, l2: c.l2, a0: c.unobservedWeight, solver: c.solver, cgSteps: c.cgSteps };
  const keep = <T extends Float32Array | Float64Array | Int32Array | Uint32Array>(a: T): T => (threads > 1 ? shared(a) : a);
  const csr = (l: CsrLists): CsrLists => ({ offsets: keep(l.offsets), items: keep(l.items) });
  const users = csr(userLists(train));
  const items = csr(itemLists(train));
  const init = rng.fork("init");
  const scale = c.initStd / Math.sqrt(d);
  const P = keep(Float32Array.from({ length: train.nUsers * d }, () => init.normal() * scale));
  const Q = keep(Float32Array.from({ length: train.nItems * d }, () => init.normal() * scale));
  const G = keep(new Float64Array(d * d));
  const pool = threads > 1 ? await AlsPool.start(threads, { P, Q, G, users, items, params }) : null;
  const half = async (side: "users" | "items") => {
    const [X, Y, lists, nX, nY] = side === "users" ? [P, Q, users, train.nUsers, train.nItems] : [Q, P, items, train.nItems, train.nUsers];
    G.set(gramian(Y, nY, d));
    if (pool) await pool.solve(side);
    else solveRows(X, Y, G, lists, 0, nX, nY, params);
  };
  const state = (): IalsState => ({ itemFactors: shaped(Q, train.nItems, d), l2: c.l2, unobservedWeight: c.unobservedWeight });
  try {
    const { epochsRun } = await runEpochs({
      label: `iALS d=${d}`, epochs: o.epochs, monitor: o.monitor, current: () => ialsModel(state()), weights: [P, Q],
      runEpoch: async () => {
        await half("users");
        await half("items");
        return ialsLoss(P, Q, users, items, params);
      },
    });
    log(`iALS: ${epochsRun} iterations, d = ${d}, λ = ${c.l2}, α0 = ${c.unobservedWeight}, ${c.solver}${c.solver === "cg" ? ` (${c.cgSteps} steps)` : ""}, ${threads} thread(s)`);
  } finally {
    await pool?.close();
  }
  return { model: ialsModel(state()), state: state() };
}

/** Items fixed, a user's vector is the exact ALS solve from their history. */
export function ialsModel(s: IalsState): EmbeddingModel {
  const Q = s.itemFactors.data;
  const [nItems, d] = s.itemFactors.shape;
  const GQ = gramian(Q, nItems, d);
  const exact: AlsParams = { d, l2: s.l2, a0: s.unobservedWeight, solver: "cholesky", cgSteps: 0 };
  const [A, b] = [new Float64Array(d * d), new Float64Array(d)]; // one scratch for every fold-in (they run one at a time)
  return { name: `ials(d=${d})`, dim: d, nItems, similarity: "dot", itemVectors: Q, userVector: (h: History) => exactSolve(Q, GQ, h.items, nItems, exact, A, b) };
}
