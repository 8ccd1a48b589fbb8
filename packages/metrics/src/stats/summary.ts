import { studentTIsf } from "./distributions.ts";

/** Mean, sample standard deviation and a Student-t 95% confidence interval of the mean. */
export interface Summary {
  mean: number;
  std: number;
  ci95: [number, number];
  n: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  // With one value there is no spread to estimate: the interval is the point itself.
  const half = n > 1 ? studentTIsf(0.025, n - 1) * (std / Math.sqrt(n)) : 0;
  return { mean, std, ci95: [mean - half, mean + half], n };
}
