import type { Rng } from "@mle/core";
import type { CsrLists } from "../kernels/lists.ts";
import { negative } from "../kernels/sgd-examples.ts";
import { squaredDistance } from "./euclidean.ts";

/** What CML's hinge needs to know: the margin, the sampled negatives per pair, WARP weighting or not. */
export type Hinge = { margin: number; negatives: number; rankWeight: boolean };

/** Gradient buffers of one example: the user, the positive, the impostor (the closest sampled negative). */
export interface CmlGrad {
  u: Float32Array;
  i: Float32Array;
  j: Float32Array;
  impostor: number;
}

/**
 * One (user, positive) pair: U sampled unseen items, the closest is the impostor j; the loss is
 * w · [m + d(u,i)² − d(u,j)²]₊ with w = log(⌊M·|I|/U⌋ + 1), M the sampled items inside the margin (WARP's
 * rank estimate; the reference implementation's weighting). Gradients into g; returns the loss (0: no update).
 */
export function cmlGradient(P: Float32Array, po: number, V: Float32Array, i: number, d: number, h: Hinge, sample: () => number, g: CmlGrad): number {
  const dPos = squaredDistance(P, po, V, i * d, d);
  let closest = Infinity;
  let j = -1;
  let violators = 0;
  for (let k = 0; k < h.negatives; k++) {
    const n = sample();
    if (n < 0) return 0;
    const dn = squaredDistance(P, po, V, n * d, d);
    if (h.margin + dPos - dn > 0) violators++;
    if (dn < closest) (closest = dn), (j = n);
  }
  const hinge = h.margin + dPos - closest;
  if (hinge <= 0) return 0;
  const nItems = V.length / d;
  const w = h.rankWeight ? Math.log(Math.floor((violators * nItems) / h.negatives) + 1) : 1;
  const io = i * d;
  const jo = j * d;
  for (let f = 0; f < d; f++) {
    const u = P[po + f];
    const vi = V[io + f];
    const vj = V[jo + f];
    g.u[f] = 2 * w * (vj - vi);
    g.i[f] = 2 * w * (vi - u);
    g.j[f] = 2 * w * (u - vj);
  }
  g.impostor = j;
  return w * hinge;
}

/** Zeroed gradient buffers for vectors of width d. */
export function grads(d: number): CmlGrad {
  return { u: new Float32Array(d), i: new Float32Array(d), j: new Float32Array(d), impostor: -1 };
}

/** An unseen item for user row u of `lists`, or −1 when the user has every item. */
export function sampler(rng: Rng, lists: CsrLists, u: number, nItems: number): () => number {
  return () => (lists.offsets[u + 1] - lists.offsets[u] >= nItems ? -1 : negative(rng, lists, u, nItems));
}
