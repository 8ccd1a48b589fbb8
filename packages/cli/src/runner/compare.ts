import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { log, readColumnar, sha256, stableStringify } from "@mle/core";
import { pairedTTest, wilcoxonSignedRank } from "@mle/metrics";
import { describeModel } from "@mle/models";
import { writeComparisonReport, type PairedSummary } from "@mle/report";
import { loadComparison, type Comparison } from "../config/experiment-file.ts";
import { loadConfig } from "../config/load.ts";
import type { Results } from "./results.ts";
import { runExperiment } from "./run.ts";

export interface ComparedModel {
  config: string;
  name: string;
  modelLine: string;
  results: Results;
  tracking: string | null;
  /** Per seed: evaluated users and their primary-metric values. */
  perUser: { users: Int32Array; values: Float32Array }[];
  reused: boolean;
}

export interface ComparisonOutput {
  comparison: Comparison;
  models: ComparedModel[];
  reportFile: string;
  resultsFile: string;
}

/** The main table's columns, in order, at the primary metric's cut-off (10 when it has none), where the runs have them. */
function columnsAt(primary: string): string[] {
  const k = /@(\d+)$/.exec(primary)?.[1] ?? "10";
  return ["recall", "recall_liang", "ndcg", "map", "mrr", "hit_rate", "coverage", "novelty"].map((m) => (m === "mrr" ? m : `${m}@${k}`));
}

/**
 * Runs (or, with `reuse`, reuses finished runs of) every config of an experiment file on its seeds,
 * then writes `reports/<name>.md` (table, paired tests against the best model and against EASE,
 * times, charts) and `reports/<name>/results.json` (what CI re-checks).
 */
export async function runComparison(file: string, o: { runsDir: string; reportsDir: string; reuse: boolean }): Promise<ComparisonOutput> {
  const c = loadComparison(file);
  const models: ComparedModel[] = [];
  for (const cfgFile of c.configs) {
    const { config } = loadConfig(cfgFile, [...c.set, `experiment.seeds=[${c.seeds.join(",")}]`]);
    const outDir = join(o.runsDir, c.name, config.experiment.name);
    const hash = sha256(stableStringify(config));
    const saved = join(outDir, "results.json");
    let results: Results;
    let tracking: string | null = null;
    let reused = false;
    if (o.reuse && existsSync(saved) && (JSON.parse(readFileSync(saved, "utf8")) as Results).configHash === hash) {
      results = JSON.parse(readFileSync(saved, "utf8")) as Results;
      reused = true;
      log(`${config.experiment.name}: reusing ${saved}`);
    } else {
      const run = await runExperiment(config, cfgFile, outDir);
      results = run.results;
      tracking = run.tracking ? `${run.tracking.uri} run ${run.tracking.parentRunId}` : null;
    }
    const perUser = results.seeds.map((seed) => {
      const { columns } = readColumnar(join(outDir, `seed-${seed}`, "per-user.bin"));
      return { users: columns.users as Int32Array, values: columns[c.primary] as Float32Array };
    });
    models.push({ config: cfgFile, name: config.experiment.name, modelLine: describeModel(config.model), results, tracking, perUser, reused });
  }
  mkdirSync(join(o.reportsDir, c.name), { recursive: true });
  const resultsFile = join(o.reportsDir, c.name, "results.json");
  writeFileSync(resultsFile, `${JSON.stringify(Object.fromEntries(models.map((m) => [m.name, { ...m.results, fitSeconds: undefined, evaluateSeconds: undefined }])), null, 2)}\n`);
  const p = c.primary;
  const best = [...models].sort((a, b) => b.results.metrics[p].mean - a.results.metrics[p].mean)[0];
  const ease = models.find((m) => m.results.model.startsWith("ease"));
  const ks = [...new Set(Object.keys(models[0].results.metrics).filter((k) => k.startsWith("recall@")).map((k) => Number(k.split("@")[1])))].sort((a, b) => a - b);
  const reportFile = await writeComparisonReport({
    name: c.name, description: c.description, discussion: c.discussion, seeds: c.seeds, overrides: c.set, primary: p, ks,
    columns: columnsAt(c.primary).filter((k) => models.every((m) => m.results.metrics[k])),
    runs: models.map((m) => ({
      name: m.name, config: m.config, modelLine: m.results.model, metrics: m.results.metrics, coldMetrics: m.results.coldMetrics, fitSeconds: m.results.fitSeconds ?? [],
      where: m.tracking ?? (m.reused ? "reused" : "not tracked"), backend: m.results.backend, configHash: m.results.configHash, manifests: m.results.split.manifests,
      iterative: m.results.training !== undefined,
      validCurves: m.results.training?.validCurves && m.results.training.watched === p ? m.results.training.validCurves : undefined,
      vsBest: m === best ? "best" : paired(m, best),
      vsEase: !ease ? undefined : m === ease ? "ease" : paired(m, ease),
    })),
  }, o.reportsDir);
  return { comparison: c, models, reportFile, resultsFile };
}

/** Paired over (seed, user) pairs present in both runs; only meaningful when both used the same splits. */
function paired(a: ComparedModel, b: ComparedModel): PairedSummary | null {
  if (a.results.split.manifests.join() !== b.results.split.manifests.join()) return null;
  const x: number[] = [];
  const y: number[] = [];
  a.perUser.forEach((pa, s) => {
    const pb = b.perUser[s];
    const at = new Map<number, number>();
    pb.users.forEach((u, i) => at.set(u, pb.values[i]));
    pa.users.forEach((u, i) => {
      const v = at.get(u);
      if (v !== undefined) (x.push(pa.values[i]), y.push(v));
    });
  });
  if (x.length < 2) return null;
  const t = pairedTTest(x, y);
  const w = wilcoxonSignedRank(x, y);
  return { meanDifference: t.meanDifference, tPValue: t.pValue, wilcoxonPValue: w.pValue, effectSize: t.effectSize };
}
