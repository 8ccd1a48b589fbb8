import { choleskySolve, gramian } from "./linalg/small-solve.ts";
import type { CsrLists } from "./lists.ts";

export interface AlsParams {
  d: number;
  l2: number;
  /** Rendle et al.'s α0: weight of every unobserved entry. */
  a0: number;
  /** `cholesky`: the exact solve; `cg`: `cgSteps` conjugate-gradient steps warm-started from the current row. */
  solver: "cholesky" | "cg";
  cgSteps: number;
}

/**
 * Solves rows [from, to) of X against the fixed other side Y (nY × d, Gramian G = YᵀY): row x minimises
 * Σ_{i∈I_x} (1 − x·y_i)² + α0 Σ_all (x·y)² + λ(|I_x| + α0 nY)|x|², i.e. A x = Σ_{i∈I_x} y_i with
 * A = α0 G + Σ_{i∈I_x} y_i y_iᵀ + λ_x I. Rows are independent, so any split over threads gives the same X.
 */
export function solveRows(X: Float32Array, Y: Float32Array, G: Float64Array, lists: CsrLists, from: number, to: number, nY: number, p: AlsParams): void {
  const scratch = { A: new Float64Array(p.d * p.d), b: new Float64Array(p.d), r: new Float64Array(p.d), dir: new Float64Array(p.d), Ad: new Float64Array(p.d), x: new Float64Array(p.d) };
  for (let x = from; x < to; x++) {
    const rows = lists.items.subarray(lists.offsets[x], lists.offsets[x + 1]);
    if (p.solver === "cg") conjugateGradient(X, x * p.d, Y, G, rows, nY, p, scratch);
    else X.set(exactSolve(Y, G, rows, nY, p, scratch.A, scratch.b), x * p.d);
  }
}

/** The exact solve by Cholesky (also the fold-in of a new user). */
export function exactSolve(Y: Float32Array, G: Float64Array, rows: ArrayLike<number>, nY: number, p: AlsParams, A = new Float64Array(p.d * p.d), b = new Float64Array(p.d)): Float32Array {
  const d = p.d;
  for (let k = 0; k < d * d; k++) A[k] = p.a0 * G[k];
  b.fill(0);
  for (let j = 0; j < rows.length; j++) {
    const o = rows[j] * d;
    for (let s = 0; s < d; s++) {
      const ys = Y[o + s];
      b[s] += ys;
      for (let t = s; t < d; t++) A[s * d + t] += ys * Y[o + t];
    }
  }
  for (let s = 0; s < d; s++) for (let t = 0; t < s; t++) A[s * d + t] = A[t * d + s];
  const reg = p.l2 * (rows.length + p.a0 * nY);
  for (let s = 0; s < d; s++) A[s * d + s] += reg;
  choleskySolve(A, b, d);
  return Float32Array.from(b);
}

/**
 * A few CG steps on A x = b from the row's current value, never forming A: A v = α0 G v + Σ y_i (y_i·v) + λ_x v
 * costs O(d² + |I_x| d) instead of the O(|I_x| d² + d³) of building and factoring A (Takács et al. 2011;
 * what `implicit` does by default, with 3 steps).
 */
function conjugateGradient(X: Float32Array, xo: number, Y: Float32Array, G: Float64Array, rows: Int32Array, nY: number, p: AlsParams, s: { r: Float64Array; dir: Float64Array; Ad: Float64Array; x: Float64Array }): void {
  const d = p.d;
  const reg = p.l2 * (rows.length + p.a0 * nY);
  const { r, dir, Ad, x } = s;
  for (let f = 0; f < d; f++) x[f] = X[xo + f];
  applyA(x, r, Y, G, rows, d, p.a0, reg);
  for (let f = 0; f < d; f++) r[f] = -r[f];
  for (let j = 0; j < rows.length; j++) for (let f = 0, o = rows[j] * d; f < d; f++) r[f] += Y[o + f]; // r = b − A x
  let rr = 0;
  for (let f = 0; f < d; f++) (dir[f] = r[f]), (rr += r[f] * r[f]);
  for (let it = 0; it < p.cgSteps && rr > 1e-20; it++) {
    applyA(dir, Ad, Y, G, rows, d, p.a0, reg);
    let dAd = 0;
    for (let f = 0; f < d; f++) dAd += dir[f] * Ad[f];
    const alpha = rr / dAd;
    let next = 0;
    for (let f = 0; f < d; f++) {
      x[f] += alpha * dir[f];
      r[f] -= alpha * Ad[f];
      next += r[f] * r[f];
    }
    for (let f = 0; f < d; f++) dir[f] = r[f] + (next / rr) * dir[f];
    rr = next;
  }
  for (let f = 0; f < d; f++) X[xo + f] = x[f];
}

/** out = (α0 G + Σ_{i∈rows} y_i y_iᵀ + reg I) v */
function applyA(v: Float64Array, out: Float64Array, Y: Float32Array, G: Float64Array, rows: Int32Array, d: number, a0: number, reg: number): void {
  for (let s = 0; s < d; s++) out[s] = reg * v[s] + a0 * dot(G, s * d, v, d);
  for (let j = 0; j < rows.length; j++) {
    const o = rows[j] * d;
    let yv = 0;
    for (let f = 0; f < d; f++) yv += Y[o + f] * v[f];
    for (let f = 0; f < d; f++) out[f] += yv * Y[o + f];
  }
}

/** a[ao, ao + d) · v with four accumulators: V8 overlaps the multiply-adds (1.15× per iALS iteration; monomorphic on purpose). */
function dot(a: Float64Array, ao: number, v: Float64Array, d: number): number {
  let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  let f = 0;
  for (; f + 3 < d; f += 4) {
    d0 += a[ao + f] * v[f];
    d1 += a[ao + f + 1] * v[f + 1];
    d2 += a[ao + f + 2] * v[f + 2];
    d3 += a[ao + f + 3] * v[f + 3];
  }
  for (; f < d; f++) d0 += a[ao + f] * v[f];
  return d0 + d1 + d2 + d3;
}

/**
 * The iALS objective per observed interaction, for learning curves:
 * Σ_obs [(1 − s)² − α0 s²] + α0 ⟨PᵀP, QᵀQ⟩ + λ Σ_u (|I_u| + α0 nI)|p_u|² + λ Σ_i (|U_i| + α0 nU)|q_i|², divided by
 * the number of observed pairs — O(nnz·d + (nU + nI)·d²), a fraction of one half-step.
 */
export function ialsLoss(P: Float32Array, Q: Float32Array, users: CsrLists, items: CsrLists, p: AlsParams): number {
  const d = p.d;
  const nU = P.length / d;
  const nI = Q.length / d;
  let loss = 0;
  for (let u = 0; u < nU; u++) {
    for (let j = users.offsets[u]; j < users.offsets[u + 1]; j++) {
      const io = users.items[j] * d;
      let s = 0;
      for (let f = 0; f < d; f++) s += P[u * d + f] * Q[io + f];
      loss += (1 - s) ** 2 - p.a0 * s * s;
    }
  }
  const gp = gramian(P, nU, d);
  const gq = gramian(Q, nI, d);
  for (let k = 0; k < d * d; k++) loss += p.a0 * gp[k] * gq[k];
  const norms = (X: Float32Array, lists: CsrLists, nOther: number) => {
    let r = 0;
    for (let x = 0; x + 1 < lists.offsets.length; x++) {
      let sq = 0;
      for (let f = 0; f < d; f++) sq += X[x * d + f] ** 2;
      r += (lists.offsets[x + 1] - lists.offsets[x] + p.a0 * nOther) * sq;
    }
    return r;
  };
  loss += p.l2 * (norms(P, users, nI) + norms(Q, items, nU));
  return loss / Math.max(1, users.offsets[nU]);
}
