import { Rng } from "@mle/core";

/**
 * Percentile bootstrap 95% interval of the mean over users: `resamples` draws of n users with
 * replacement, seeded, so the interval is reproducible.
 */
export function bootstrapCi(values: ArrayLike<number>, seed: number, resamples = 1000): [number, number] {
  return bootstrapCis([values], seed, resamples)[0];
}

/**
 * The same interval for several per-user columns over the same users, from one set of resamples:
 * each resample is drawn once as a count per user, then every column's mean is a sequential pass
 * (per-column random indexing took minutes for 280k users × 30 metrics).
 */
export function bootstrapCis(columns: ArrayLike<number>[], seed: number, resamples = 1000): [number, number][] {
  const n = columns[0]?.length ?? 0;
  if (n === 0) return columns.map(() => [NaN, NaN]);
  if (columns.some((c) => c.length !== n)) throw new Error("bootstrapCis: columns of different lengths");
  const rng = new Rng(seed, "bootstrap");
  const counts = new Uint32Array(n);
  const means = columns.map(() => new Float64Array(resamples));
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[rng.int(n)]++;
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c];
      let s = 0;
      for (let i = 0; i < n; i++) s += counts[i] * v[i];
      means[c][b] = s / n;
    }
  }
  return means.map((m) => percentileInterval(m.sort()));
}

function percentileInterval(sorted: Float64Array): [number, number] {
  const at = (q: number) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
  };
  return [at(0.025), at(0.975)];
}
