import { bootstrapCis, summarize, type Summary } from "@mle/metrics";
import type { SeedResult } from "./evaluate-seed.ts";

/** The per-K metric families, in the order tables show them. */
export const RANKING_METRICS = ["recall", "recall_liang", "precision", "ndcg", "map", "mrr", "hit_rate", "coverage", "novelty"];

export interface MetricResult extends Summary {
  perSeed: number[];
  /** Per-user percentile bootstrap interval of the first seed's mean (the spread within one run). */
  bootstrap95?: [number, number];
}

/** results.json: every metric as {mean, std, ci95, n} over seeds, with what produced it. */
export interface Results {
  experiment: string;
  configHash: string;
  model: string;
  backend: string;
  dataset: { name: string; checksum: string };
  split: { kind: string; manifests: string[] };
  seeds: number[];
  metrics: Record<string, MetricResult>;
  /** Validation-part metrics over seeds, when the split has a validation part. */
  validMetrics?: Record<string, MetricResult>;
  usersEvaluated: number[];
  usersWithoutRelevant: number[];
  fitSeconds: number[];
  evaluateSeconds: number[];
}

export function aggregate(seeds: SeedResult[]): Record<string, MetricResult> {
  const out: Record<string, MetricResult> = {};
  const perUser = Object.keys(seeds[0].perUser).filter((name) => name in seeds[0].metrics);
  const intervals = bootstrapCis(perUser.map((name) => seeds[0].perUser[name]), seeds[0].seed);
  const bootstrap = new Map(perUser.map((name, k) => [name, intervals[k]]));
  for (const name of Object.keys(seeds[0].metrics)) {
    const perSeed = seeds.map((s) => s.metrics[name]);
    const b = bootstrap.get(name);
    out[name] = { ...summarize(perSeed), perSeed, ...(b ? { bootstrap95: b } : {}) };
  }
  return out;
}

export function aggregateValid(seeds: SeedResult[]): Record<string, MetricResult> | undefined {
  if (!seeds[0].validMetrics) return undefined;
  const out: Record<string, MetricResult> = {};
  for (const name of Object.keys(seeds[0].validMetrics)) {
    const perSeed = seeds.map((s) => s.validMetrics![name]);
    out[name] = { ...summarize(perSeed), perSeed };
  }
  return out;
}

/** A metric as "0.4123 ± 0.0051" (half-width of the 95% interval over seeds). */
export function formatMetric(m: MetricResult, digits = 4): string {
  const half = (m.ci95[1] - m.ci95[0]) / 2;
  return m.n > 1 ? `${m.mean.toFixed(digits)} ± ${half.toFixed(digits)}` : m.mean.toFixed(digits);
}
