import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { RunHandle, RunRecorder } from "./recorder.ts";
import { mlflowKey, type Metric } from "./store.ts";

/** One seed's outcome as plain numbers: what a child run carries. */
export interface SeedOutcome {
  metrics: Record<string, number>;
  validMetrics?: Record<string, number>;
  coldMetrics?: Record<string, number>;
  fitSeconds: number;
  evaluateSeconds: number;
  /** The serving index against exact search (logged as ann/<key>). */
  serving?: Record<string, number>;
}

/** A metric over seeds: what a parent run carries. */
export interface MetricSummary {
  mean: number;
  std: number;
  ci95: [number, number];
}

/** One epoch of a learning curve, logged when it happens (MLflow draws a metric's history against its step). */
export interface EpochPoint {
  epoch: number;
  loss: number;
  /** The watched validation metric, when early stopping watches one. */
  valid?: number;
  watched?: string;
  /** Other validation metrics computed in the same pass (the ranking's NDCG at the largest cut-off). */
  alsoValid?: Record<string, number>;
}

/** A child run's final metrics: test (`recall@10` → `recall_at_10`), validation (`valid/…`), and timings. */
export function seedMetrics(r: SeedOutcome, now = Date.now()): Metric[] {
  const at = (key: string, value: number): Metric => ({ key: mlflowKey(key), value, timestamp: now, step: 0 });
  return [
    ...Object.entries(r.metrics).map(([k, v]) => at(k, v)),
    ...Object.entries(r.validMetrics ?? {}).map(([k, v]) => at(`valid/${k}`, v)),
    ...Object.entries(r.coldMetrics ?? {}).map(([k, v]) => at(`cold/${k}`, v)),
    ...Object.entries(r.serving ?? {}).map(([k, v]) => at(`ann/${k}`, v)),
    at("fit_seconds", r.fitSeconds),
    at("evaluate_seconds", r.evaluateSeconds),
  ];
}

/** An epoch's points: `train_loss` and `valid/<metric>_by_epoch` (the watched one and any others) at step = epoch. */
export function epochMetrics(p: EpochPoint, now = Date.now()): Metric[] {
  const out: Metric[] = [];
  if (Number.isFinite(p.loss)) out.push({ key: "train_loss", value: p.loss, timestamp: now, step: p.epoch });
  if (p.valid !== undefined && p.watched) out.push({ key: mlflowKey(`valid/${p.watched}_by_epoch`), value: p.valid, timestamp: now, step: p.epoch });
  for (const [k, v] of Object.entries(p.alsoValid ?? {})) out.push({ key: mlflowKey(`valid/${k}_by_epoch`), value: v, timestamp: now, step: p.epoch });
  return out;
}

/** A parent run's metrics: every metric's mean, std and 95% interval bounds over seeds. */
export function summaryMetrics(metrics: Record<string, MetricSummary>, now = Date.now()): Metric[] {
  return Object.entries(metrics).flatMap(([k, m]) => [
    { key: mlflowKey(k), value: m.mean, timestamp: now, step: 0 },
    { key: mlflowKey(`${k}_std`), value: m.std, timestamp: now, step: 0 },
    { key: mlflowKey(`${k}_ci95_lo`), value: m.ci95[0], timestamp: now, step: 0 },
    { key: mlflowKey(`${k}_ci95_hi`), value: m.ci95[1], timestamp: now, step: 0 },
  ]);
}

/** Every file under `dir` as an artifact at its relative path: the run's files as they were written. */
export async function uploadFolder(rec: RunRecorder, run: RunHandle, dir: string, prefix = ""): Promise<string[]> {
  const uploaded: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) await walk(p);
      else {
        const path = [prefix, relative(dir, p).split(sep).join("/")].filter(Boolean).join("/");
        await rec.artifact(run, path, p);
        uploaded.push(path);
      }
    }
  };
  await walk(dir);
  return uploaded;
}
