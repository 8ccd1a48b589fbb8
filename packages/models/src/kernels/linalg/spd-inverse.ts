/**
 * In-place inverse of a symmetric positive-definite n × n matrix (row-major Float64Array) by
 * Gauss–Jordan elimination without pivoting, which is stable for SPD matrices (EASE's
 * XᵀX + λI with λ > 0 is one). n³ multiply-adds with contiguous inner loops.
 */
export function invertSpdInPlace(a: Float64Array, n: number, onProgress?: (k: number) => void): void {
  const rowK = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const kk = k * n;
    const p = a[kk + k];
    if (!(p > 0)) throw new Error(`matrix is not positive definite (pivot ${k} is ${p}); increase the regularisation`);
    const inv = 1 / p;
    a[kk + k] = 1;
    for (let j = 0; j < n; j++) rowK[j] = a[kk + j] *= inv;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const ii = i * n;
      const f = a[ii + k];
      if (f === 0) continue;
      a[ii + k] = 0;
      for (let j = 0; j < n; j++) a[ii + j] -= f * rowK[j];
    }
    if (onProgress && (k & 63) === 0) onProgress(k);
  }
}
