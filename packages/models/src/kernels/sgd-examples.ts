import type { Rng } from "@mle/core";
import type { EmbeddingTable } from "../engine/embedding-table.ts";
import type { CsrLists } from "./lists.ts";

/** What the per-example kernels read: the training rows, and for BPR each user's sorted items. */
export interface SgdData {
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
  lists: CsrLists;
  nItems: number;
  mu: number;
}

/** The tables of an MF model: users P, items V = [q_i, b_i], user biases B (biased MF only). */
export interface MfTables {
  P: EmbeddingTable;
  V: EmbeddingTable;
  B: EmbeddingTable | null;
}

/** Scratch gradients, one set per thread. */
export function scratch(d: number): { p: Float32Array; qi: Float32Array; qj: Float32Array; b: Float32Array } {
  return { p: new Float32Array(d), qi: new Float32Array(d + 1), qj: new Float32Array(d + 1), b: new Float32Array(1) };
}

/**
 * Biased MF on rating row r, ½(r − μ − b_u − b_i − p·q)²: its gradients go into the tables for the batch's
 * optimizer step; returns the squared error.
 */
export function biasedExample(t: MfTables, data: SgdData, r: number, g: ReturnType<typeof scratch>): number {
  const d = t.P.dim;
  const [P, V] = [t.P.weights, t.V.weights];
  const u = data.user[r];
  const po = u * d;
  const io = data.item[r] * (d + 1);
  const err = ratingError(t, data, r, po, io); // ∂(½ err²)/∂pred = −err
  for (let f = 0; f < d; f++) {
    g.p[f] = -err * V[io + f];
    g.qi[f] = -err * P[po + f];
  }
  g.qi[d] = -err;
  g.b[0] = -err;
  t.P.accumulate(u, g.p);
  t.V.accumulate(data.item[r], g.qi);
  t.B!.accumulate(u, g.b);
  return err * err;
}

/** The same example as one plain SGD step in place (Surprise's SVD update): one pass over p_u and q_i. */
export function biasedSgdExample(t: MfTables, data: SgdData, r: number, lr: number, l2: number): number {
  const d = t.P.dim;
  const [P, V, B] = [t.P.weights, t.V.weights, t.B!.weights];
  const u = data.user[r];
  const po = u * d;
  const io = data.item[r] * (d + 1);
  const err = ratingError(t, data, r, po, io);
  for (let f = 0; f < d; f++) {
    const pf = P[po + f];
    const qf = V[io + f];
    P[po + f] = pf - lr * (-err * qf + l2 * pf);
    V[io + f] = qf - lr * (-err * pf + l2 * qf);
  }
  V[io + d] -= lr * (-err + l2 * V[io + d]);
  B[u] -= lr * (-err + l2 * B[u]);
  return err * err;
}

/** r − r̂ for rating row r, r̂ = μ + b_u + b_i + p_u·q_i (po, io: the rows' offsets). */
function ratingError(t: MfTables, data: SgdData, r: number, po: number, io: number): number {
  const d = t.P.dim;
  const [P, V] = [t.P.weights, t.V.weights];
  let pred = data.mu + t.B!.weights[data.user[r]] + V[io + d];
  for (let f = 0; f < d; f++) pred += P[po + f] * V[io + f];
  return data.rating[r] - pred;
}

/**
 * BPR on the user and positive of row r with a sampled negative, −ln σ(x_uij): its gradients go into the
 * tables for the batch's optimizer step; returns the loss (0 when the user has every item).
 */
export function bprExample(t: MfTables, data: SgdData, r: number, rng: Rng, g: ReturnType<typeof scratch>): number {
  const j = negativeFor(data, r, rng);
  if (j < 0) return 0;
  const u = data.user[r];
  const i = data.item[r];
  const loss = bprGradient(t.P.weights, u * t.P.dim, t.V.weights, i, j, t.P.dim, g);
  t.P.accumulate(u, g.p);
  t.V.accumulate(i, g.qi);
  t.V.accumulate(j, g.qj);
  return loss;
}

/**
 * The same example as one plain SGD step in place, Cornac's and implicit's update: one pass over the
 * factors reads p_u, q_i, q_j once and writes them back, with no gradient buffers (same draws, same maths).
 */
export function bprSgdExample(t: MfTables, data: SgdData, r: number, rng: Rng, lr: number, l2: number): number {
  const j = negativeFor(data, r, rng);
  if (j < 0) return 0;
  const d = t.P.dim;
  const [P, V] = [t.P.weights, t.V.weights];
  const po = data.user[r] * d;
  const io = data.item[r] * (d + 1);
  const jo = j * (d + 1);
  const x = bprMargin(P, po, V, io, jo, d);
  const z = 1 / (1 + Math.exp(x));
  for (let f = 0; f < d; f++) {
    const pf = P[po + f];
    const qi = V[io + f];
    const qj = V[jo + f];
    P[po + f] = pf - lr * (-z * (qi - qj) + l2 * pf);
    V[io + f] = qi - lr * (-z * pf + l2 * qi);
    V[jo + f] = qj - lr * (z * pf + l2 * qj);
  }
  V[io + d] -= lr * (-z + l2 * V[io + d]);
  V[jo + d] -= lr * (z + l2 * V[jo + d]);
  return logLoss(x);
}

/** The negative drawn for row r's user, or −1 when the user has every item (nothing to contrast). */
function negativeFor(data: SgdData, r: number, rng: Rng): number {
  const u = data.user[r];
  if (data.lists.offsets[u + 1] - data.lists.offsets[u] >= data.nItems) return -1;
  return negative(rng, data.lists, u, data.nItems);
}

/** x_uij = p_u·(q_i − q_j) + b_i − b_j (po, io, jo: the rows' offsets; biases in the last item column). */
function bprMargin(P: Float32Array, po: number, V: Float32Array, io: number, jo: number, d: number): number {
  let x = V[io + d] - V[jo + d];
  for (let f = 0; f < d; f++) x += P[po + f] * (V[io + f] - V[jo + f]);
  return x;
}

/** −ln σ(x), stable for large |x|. */
function logLoss(x: number): number {
  return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

/** ∂(−ln σ(x_uij))/∂ of p_u, [q_i, b_i], [q_j, b_j] into g (L2 is the tables'); returns the loss. */
export function bprGradient(P: Float32Array, po: number, V: Float32Array, i: number, j: number, d: number, g: ReturnType<typeof scratch>): number {
  const io = i * (d + 1);
  const jo = j * (d + 1);
  const x = bprMargin(P, po, V, io, jo, d);
  const z = 1 / (1 + Math.exp(x)); // σ(−x) = −∂(−ln σ(x))/∂x
  for (let f = 0; f < d; f++) {
    const pf = P[po + f];
    g.p[f] = -z * (V[io + f] - V[jo + f]);
    g.qi[f] = -z * pf;
    g.qj[f] = z * pf;
  }
  g.qi[d] = -z;
  g.qj[d] = z;
  return logLoss(x);
}

/**
 * A uniformly drawn item the user has not interacted with (rejection sampling); membership by binary
 * search in the user's sorted item list (rebuilding a set per sample took 68% of BPR's time).
 */
export function negative(rng: Rng, lists: CsrLists, u: number, nItems: number): number {
  const a = lists.offsets[u];
  const e = lists.offsets[u + 1];
  for (;;) {
    const j = rng.int(nItems);
    let lo = a;
    let hi = e;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lists.items[mid] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo === e || lists.items[lo] !== j) return j;
  }
}
