/**
 * In-place Cholesky solve of a small SPD system A x = b (A: n × n row-major, overwritten by its
 * factor; b overwritten by x). The d × d solves of ALS and of fold-in: d ≤ a few hundred.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
    if (!(s > 0)) throw new Error(`system is not positive definite at ${j} (${s}); increase l2`);
    const d = Math.sqrt(s);
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / d;
    }
  }
  for (let i = 0; i < n; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= a[i * n + k] * b[k];
    b[i] = t / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let t = b[i];
    for (let k = i + 1; k < n; k++) t -= a[k * n + i] * b[k];
    b[i] = t / a[i * n + i];
  }
}

/** Gramian VᵀV of an m × d row-major matrix (d × d). */
export function gramian(v: Float32Array, m: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let r = 0; r < m; r++) {
    const o = r * d;
    for (let i = 0; i < d; i++) {
      const vi = v[o + i];
      if (vi === 0) continue;
      for (let j = i; j < d; j++) g[i * d + j] += vi * v[o + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) g[i * d + j] = g[j * d + i];
  return g;
}
