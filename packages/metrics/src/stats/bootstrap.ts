import { Rng } from "@mle/core";

/**
 * Percentile bootstrap 95% interval of the mean over users: `resamples` draws of n users with
 * replacement, seeded, so the interval is reproducible.
 */
export function bootstrapCi(values: ArrayLike<number>, seed: number, resamples = 1000): [number, number] {
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  const rng = new Rng(seed, "bootstrap");
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)];
    means[b] = s / n;
  }
  means.sort();
  const at = (q: number) => {
    const pos = q * (resamples - 1);
    const lo = Math.floor(pos);
    return means[lo] + (means[Math.min(lo + 1, resamples - 1)] - means[lo]) * (pos - lo);
  };
  return [at(0.025), at(0.975)];
}
