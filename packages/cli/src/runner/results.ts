import { bootstrapCis, summarize, type Summary } from "@mle/metrics";
import type { BackendInfo } from "@mle/models";
import type { SeedResult } from "./evaluate-seed.ts";

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
  /** What computed: backend, TensorFlow (or TF.js) version, device. */
  engine?: BackendInfo;
  dataset: { name: string; checksum: string; warnings?: string[] };
  split: { kind: string; manifests: string[] };
  seeds: number[];
  metrics: Record<string, MetricResult>;
  /** Validation-part metrics over seeds, when the split has a validation part. */
  validMetrics?: Record<string, MetricResult>;
  /** Test metrics on cold targets only (`evaluation.coldItems`), over seeds. */
  coldMetrics?: Record<string, MetricResult>;
  usersEvaluated: number[];
  usersWithoutRelevant: number[];
  fitSeconds: number[];
  evaluateSeconds: number[];
  /** Per seed, for models trained in epochs: how many ran and which one was kept. */
  training?: {
    epochsRun: number[]; keptEpoch: number[]; stoppedEarly: boolean[];
    /** The watched validation metric and, per seed, its value after each epoch (for the comparison's learning curves). */
    watched?: string; validCurves?: number[][];
  };
  /** The reference models' test metrics on the same splits, over seeds. */
  references?: Record<string, Record<string, MetricResult>>;
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

/** Metric means over seeds (no per-user bootstrap): validation metrics, reference models. */
export function overSeeds(perSeed: Record<string, number>[]): Record<string, MetricResult> {
  const out: Record<string, MetricResult> = {};
  for (const name of Object.keys(perSeed[0])) {
    const values = perSeed.map((m) => m[name]);
    out[name] = { ...summarize(values), perSeed: values };
  }
  return out;
}

export function aggregateValid(seeds: SeedResult[]): Record<string, MetricResult> | undefined {
  return seeds[0].validMetrics ? overSeeds(seeds.map((s) => s.validMetrics!)) : undefined;
}

export function aggregateCold(seeds: SeedResult[]): Record<string, MetricResult> | undefined {
  return seeds[0].coldMetrics ? overSeeds(seeds.map((s) => s.coldMetrics!)) : undefined;
}

export function aggregateReferences(seeds: SeedResult[]): Record<string, Record<string, MetricResult>> | undefined {
  const names = Object.keys(seeds[0].references);
  return names.length ? Object.fromEntries(names.map((n) => [n, overSeeds(seeds.map((s) => s.references[n]))])) : undefined;
}
