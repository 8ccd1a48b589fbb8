import { hitRate } from "./ranking/hit-rate.ts";
import { averagePrecision } from "./ranking/map.ts";
import { reciprocalRankAt } from "./ranking/mrr.ts";
import { ndcg } from "./ranking/ndcg.ts";
import { novelty } from "./ranking/novelty.ts";
import { precision } from "./ranking/precision.ts";
import type { RankedList } from "./ranking/ranked-list.ts";
import { recall, recallLiang } from "./ranking/recall.ts";

/** What a per-user metric at K sees of one user: the ranked list, the top items and their self-information. */
export interface PerUserInput {
  list: RankedList;
  items: Int32Array;
  length: number;
  info: Float64Array;
}

/**
 * One metric as every part of the project sees it: its name, whether it takes a cut-off, which
 * direction is better, how it is computed (per user, over the catalogue, or over predicted ratings)
 * and, for per-user metrics at K, the function. Evaluation, results tables, early stopping, comparisons
 * and the config check all read this list; a new metric is one entry here (and its file).
 */
export interface MetricDef {
  name: string;
  atK: boolean;
  better: "higher" | "lower";
  kind: "per-user" | "catalogue" | "rating";
  /** Per-user metrics at K. */
  compute?: (u: PerUserInput, k: number) => number;
}

/** In table order. `mrr` appears twice: over the full ranking, and cut at K. */
export const METRICS: readonly MetricDef[] = [
  { name: "recall", atK: true, better: "higher", kind: "per-user", compute: (u, k) => recall(u.list, k) },
  { name: "recall_liang", atK: true, better: "higher", kind: "per-user", compute: (u, k) => recallLiang(u.list, k) },
  { name: "precision", atK: true, better: "higher", kind: "per-user", compute: (u, k) => precision(u.list, k) },
  { name: "ndcg", atK: true, better: "higher", kind: "per-user", compute: (u, k) => ndcg(u.list, k) },
  { name: "map", atK: true, better: "higher", kind: "per-user", compute: (u, k) => averagePrecision(u.list, k) },
  { name: "mrr", atK: false, better: "higher", kind: "per-user" },
  { name: "mrr", atK: true, better: "higher", kind: "per-user", compute: (u, k) => reciprocalRankAt(u.list, k) },
  /** A two-stage model's first stage: the share of a user's relevant targets among its candidates. */
  { name: "candidate_recall", atK: false, better: "higher", kind: "per-user" },
  { name: "hit_rate", atK: true, better: "higher", kind: "per-user", compute: (u, k) => hitRate(u.list, k) },
  { name: "coverage", atK: true, better: "higher", kind: "catalogue" },
  { name: "novelty", atK: true, better: "higher", kind: "per-user", compute: (u, k) => novelty(u.items, u.length, k, u.info) },
  { name: "rmse", atK: false, better: "lower", kind: "rating" },
  { name: "mae", atK: false, better: "lower", kind: "rating" },
];

/** The per-user metrics at K, in the order evaluation fills them. */
export const PER_USER_AT_K: readonly (MetricDef & { compute: NonNullable<MetricDef["compute"]> })[] = [
  "recall", "recall_liang", "precision", "ndcg", "map", "mrr", "hit_rate", "novelty",
].map((name) => METRICS.find((m) => m.name === name && m.atK)!) as (MetricDef & { compute: NonNullable<MetricDef["compute"]> })[];

/** The families shown per K in tables (per-user and catalogue), in table order. */
export const AT_K_FAMILIES: readonly string[] = [...new Set(METRICS.filter((m) => m.atK).map((m) => m.name))];

/** "ndcg@10" → its definition and cut-off; "mrr" → the full-ranking MRR; undefined for unknown names. */
export function parseMetric(name: string): { def: MetricDef; k?: number } | undefined {
  const m = /^([a-z_]+)(?:@(\d+))?$/.exec(name);
  if (!m) return undefined;
  const def = METRICS.find((d) => d.name === m[1] && d.atK === (m[2] !== undefined));
  return def ? { def, k: m[2] === undefined ? undefined : Number(m[2]) } : undefined;
}

/** Whether a lower value of this metric is better (rmse, mae). */
export function lowerIsBetter(name: string): boolean {
  return parseMetric(name)?.def.better === "lower";
}

/** The per-user metrics evaluation computes at cut-offs ks (what a config may watch or compare). */
export function perUserMetricNames(ks: readonly number[]): string[] {
  return ["mrr", ...ks.flatMap((k) => PER_USER_AT_K.map((m) => `${m.name}@${k}`))];
}

/** Every metric name a run at cut-offs ks can report, for checking names in configs. */
export function metricNames(ks: readonly number[]): string[] {
  return METRICS.flatMap((m) => (m.atK ? ks.map((k) => `${m.name}@${k}`) : [m.name])).filter((n, i, a) => a.indexOf(n) === i);
}
