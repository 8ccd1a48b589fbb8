import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { log } from "@mle/core";
import { readColumnar } from "@mle/data";
import { pairedTTest, wilcoxonSignedRank, type PairedTest } from "@mle/metrics";
import { loadComparison, type Comparison } from "../config/experiment-file.ts";
import { loadConfig } from "../config/load.ts";
import { barSpec, metricAtKSpec, renderSvg, type CurvePoint } from "../report/charts.ts";
import { formatMetric, type Results } from "./results.ts";
import { runExperiment } from "./run.ts";
import { sha256, stableStringify } from "@mle/core";

export interface ComparedModel {
  config: string;
  name: string;
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
    models.push({ config: cfgFile, name: config.experiment.name, results, tracking, perUser, reused });
  }
  mkdirSync(join(o.reportsDir, c.name), { recursive: true });
  const resultsFile = join(o.reportsDir, c.name, "results.json");
  writeFileSync(resultsFile, `${JSON.stringify(Object.fromEntries(models.map((m) => [m.name, { ...m.results, fitSeconds: undefined, evaluateSeconds: undefined }])), null, 2)}\n`);
  const reportFile = join(o.reportsDir, `${c.name}.md`);
  writeFileSync(reportFile, await comparisonReport(c, models, join(o.reportsDir, c.name)));
  return { comparison: c, models, reportFile, resultsFile };
}

/** Paired over (seed, user) pairs present in both runs; only meaningful when both used the same splits. */
function paired(a: ComparedModel, b: ComparedModel): { t: PairedTest; w: PairedTest } | null {
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
  return x.length > 1 ? { t: pairedTTest(x, y), w: wilcoxonSignedRank(x, y) } : null;
}

async function comparisonReport(c: Comparison, models: ComparedModel[], chartDir: string): Promise<string> {
  const p = c.primary;
  const best = [...models].sort((a, b) => b.results.metrics[p].mean - a.results.metrics[p].mean)[0];
  const ease = models.find((m) => m.results.model.startsWith("ease"));
  const ks = [...new Set(Object.keys(models[0].results.metrics).filter((k) => k.startsWith("recall@")).map((k) => Number(k.split("@")[1])))].sort((a, b) => a - b);
  const cols = ["recall@10", "recall_liang@10", "ndcg@10", "map@10", "mrr", "hit_rate@10", "coverage@10", "novelty@10"].filter((k) => models[0].results.metrics[k]);
  const pv = (v: number) => (v < 1e-300 ? "< 1e-300" : `= ${v.toExponential(1)}`);
  const fmtP = (x: { t: PairedTest; w: PairedTest } | null) => (x ? `Δ ${x.t.meanDifference >= 0 ? "+" : ""}${x.t.meanDifference.toFixed(4)}, t p ${pv(x.t.pValue)}, Wilcoxon p ${pv(x.w.pValue)}, d_z = ${x.t.effectSize.toFixed(2)}` : "not paired (different splits)");
  const lines = [
    `# Comparison: ${c.name}`,
    "",
    c.description ?? "",
    "",
    `Seeds ${c.seeds.join(", ")}; shared overrides: ${c.set.length ? c.set.map((s) => `\`${s}\``).join(", ") : "none"}. Test metrics, mean ± 95% CI half-width over seeds. Primary metric: ${p}.`,
    "",
    `| model | ${cols.join(" | ")} | fit s | runs |`,
    `|---|${cols.map(() => "---:").join("|")}|---:|---|`,
    ...models.map((m) => `| ${m.name} (${m.results.model}) | ${cols.map((k) => (m === best && k === p ? `**${formatMetric(m.results.metrics[k])}**` : formatMetric(m.results.metrics[k]))).join(" | ")} | ${mean(m.results.fitSeconds ?? []).toFixed(2)} | ${m.tracking ?? (m.reused ? "reused" : "not tracked")} |`),
    "",
    `## Paired significance on ${p} (same users, same splits; all seeds pooled)`,
    "",
    "| model | vs best | vs EASE |",
    "|---|---|---|",
    ...models.map((m) => `| ${m.name} | ${m === best ? "(best)" : fmtP(paired(m, best))} | ${!ease ? "no EASE in this comparison" : m === ease ? "(EASE)" : fmtP(paired(m, ease))} |`),
    "",
    "Δ is the mean per-user difference (this model minus the other); paired t-test and Wilcoxon signed-rank, two-sided; d_z = mean(Δ)/sd(Δ).",
    "",
    "## Charts",
    "",
  ];
  const curve: CurvePoint[] = models.flatMap((m) => ks.map((k) => ({ model: m.name, k, value: m.results.metrics[`recall@${k}`].mean, lo: m.results.metrics[`recall@${k}`].ci95[0], hi: m.results.metrics[`recall@${k}`].ci95[1] })));
  writeFileSync(join(chartDir, "recall-at-k.svg"), await renderSvg(metricAtKSpec("recall", curve)));
  const bars: CurvePoint[] = models.map((m) => ({ model: m.name, k: 0, value: m.results.metrics[p].mean, lo: m.results.metrics[p].ci95[0], hi: m.results.metrics[p].ci95[1] }));
  writeFileSync(join(chartDir, "primary.svg"), await renderSvg(barSpec(p, bars)));
  lines.push(`![recall@K](${c.name}/recall-at-k.svg)`, "", `![${p}](${c.name}/primary.svg)`, "", "None of these models trains iteratively, so there are no learning curves.", "");
  for (const m of models) lines.push(`- ${m.name}: \`${m.config}\`, config sha256 ${m.results.configHash.slice(0, 12)}, backend ${m.results.backend}, split manifests ${m.results.split.manifests.map((h) => h.slice(0, 10)).join(", ")}`);
  return `${lines.join("\n")}\n`;
}

function mean(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}
