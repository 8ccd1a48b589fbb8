import { normalSf, studentTSf } from "./distributions.ts";

export interface PairedTest {
  /** Mean of a − b over the pairs. */
  meanDifference: number;
  n: number;
  statistic: number;
  pValue: number;
  /** Paired t: Cohen's d_z = mean(d) / sd(d). Wilcoxon: matched-pairs rank-biserial correlation. */
  effectSize: number;
}

/** Two-sided paired t-test of a − b (as scipy.stats.ttest_rel). */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): PairedTest {
  const d = differences(a, b);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  if (sd === 0) return { meanDifference: mean, n, statistic: mean === 0 ? 0 : Infinity * Math.sign(mean), pValue: mean === 0 ? 1 : 0, effectSize: mean === 0 ? 0 : Infinity * Math.sign(mean) };
  const t = mean / (sd / Math.sqrt(n));
  return { meanDifference: mean, n, statistic: t, pValue: Math.min(1, 2 * studentTSf(Math.abs(t), n - 1)), effectSize: mean / sd };
}

/**
 * Two-sided Wilcoxon signed-rank test of a − b with the normal approximation and tie correction,
 * zero differences dropped (as scipy.stats.wilcoxon(method="approx"), the usual case for hundreds of
 * users). The statistic is min(W+, W−).
 */
export function wilcoxonSignedRank(a: ArrayLike<number>, b: ArrayLike<number>): PairedTest {
  const all = differences(a, b);
  const meanDifference = all.reduce((s, x) => s + x, 0) / all.length;
  const d = all.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { meanDifference, n: 0, statistic: 0, pValue: 1, effectSize: 0 };
  const order = d.map((x, i) => i).sort((i, j) => Math.abs(d[i]) - Math.abs(d[j]));
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && Math.abs(d[order[j + 1]]) === Math.abs(d[order[i]])) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = avg;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < n; i++) (d[i] > 0 ? (wPlus += ranks[i]) : (wMinus += ranks[i]));
  const w = Math.min(wPlus, wMinus);
  const mean = (n * (n + 1)) / 4;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = sd > 0 ? (w - mean) / sd : 0;
  return { meanDifference, n, statistic: w, pValue: Math.min(1, 2 * normalSf(Math.abs(z))), effectSize: (wPlus - wMinus) / (wPlus + wMinus) };
}

function differences(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  if (a.length !== b.length) throw new Error(`paired test needs equal lengths (${a.length} vs ${b.length}): evaluate both models on the same users`);
  return Array.from({ length: a.length }, (_, i) => a[i] - b[i]);
}
