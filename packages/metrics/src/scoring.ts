import { isSparse, type EmbeddingModel, type UserVector } from "@mle/core";

/**
 * The item side of an embedding space in factor-major layout (dim × nItems): a user's scores are
 * Σ_f u_f · W[f, :], a sum of contiguous rows — the same kernel for dense vectors (MF: d rows)
 * and sparse ones (EASE: one row per history item). Cosine spaces normalise item rows here; the
 * user's norm does not change their ranking.
 */
export interface ScoringSpace {
  dim: number;
  nItems: number;
  factors: Float32Array;
}

export function scoringSpace(model: EmbeddingModel): ScoringSpace {
  const { dim, nItems, itemVectors } = model;
  if (itemVectors.length !== dim * nItems) throw new Error(`${model.name}: itemVectors has ${itemVectors.length} values, expected ${nItems} × ${dim}`);
  const factors = new Float32Array(dim * nItems);
  for (let i = 0; i < nItems; i++) {
    let scale = 1;
    if (model.similarity === "cosine") {
      let s = 0;
      for (let f = 0; f < dim; f++) s += itemVectors[i * dim + f] ** 2;
      scale = s > 0 ? 1 / Math.sqrt(s) : 0;
    }
    for (let f = 0; f < dim; f++) factors[f * nItems + i] = itemVectors[i * dim + f] * scale;
  }
  return { dim, nItems, factors };
}

/**
 * Scores a block of users into `out` (users × nItems, row-major). Dense vectors are processed
 * factor by factor across the block, so each factor row is read once per block, not once per user.
 */
export function scoreBlock(space: ScoringSpace, vectors: UserVector[], out: Float32Array): void {
  const { nItems, factors, dim } = space;
  out.fill(0, 0, vectors.length * nItems);
  const dense: number[] = [];
  vectors.forEach((v, b) => {
    if (!isSparse(v)) {
      if (v.length !== dim) throw new Error(`user vector has length ${v.length}, expected ${dim}`);
      dense.push(b);
      return;
    }
    for (let j = 0; j < v.indices.length; j++) axpy(out, b * nItems, v.values[j], factors, v.indices[j] * nItems, nItems);
  });
  if (dense.length === 0) return;
  for (let f = 0; f < dim; f++) {
    const row = f * nItems;
    for (const b of dense) {
      const a = (vectors[b] as Float32Array)[f];
      if (a !== 0) axpy(out, b * nItems, a, factors, row, nItems);
    }
  }
}

function axpy(y: Float32Array, yOff: number, a: number, x: Float32Array, xOff: number, n: number): void {
  for (let i = 0; i < n; i++) y[yOff + i] += a * x[xOff + i];
}

/**
 * Exact top-k of `scores[off .. off+n)` into `items`, best first; equal scores rank the lower item
 * index first, so rankings are deterministic. Items scored -Infinity (excluded) are never returned.
 * Returns how many were found (less than k when fewer items are eligible).
 */
export function topK(scores: Float32Array, off: number, n: number, k: number, items: Int32Array, heapScores: Float32Array): number {
  let size = 0;
  // Min-heap of the k best so far; the root is the worst (lowest score, then highest index).
  const worse = (a: number, b: number) => heapScores[a] < heapScores[b] || (heapScores[a] === heapScores[b] && items[a] > items[b]);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(items, heapScores, i, m);
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    const s = scores[off + i];
    if (s === -Infinity) continue;
    if (size < k) {
      items[size] = i;
      heapScores[size] = s;
      for (let c = size++; c > 0; ) {
        const p = (c - 1) >> 1;
        if (!worse(c, p)) break;
        swap(items, heapScores, c, p);
        c = p;
      }
    } else if (s > heapScores[0]) {
      // equal score with a higher index never displaces: the earlier item already ranks first
      items[0] = i;
      heapScores[0] = s;
      siftDown(0);
    }
  }
  // Heap-sort into best-first order.
  for (let end = size - 1; end > 0; end--) {
    swap(items, heapScores, 0, end);
    const saved = size;
    size = end;
    siftDown(0);
    size = saved;
  }
  return size;
}

function swap(items: Int32Array, s: Float32Array, a: number, b: number): void {
  const ti = items[a];
  items[a] = items[b];
  items[b] = ti;
  const ts = s[a];
  s[a] = s[b];
  s[b] = ts;
}
