import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { barSpec, metricAtKSpec, qualityVsTimeSpec, renderSvg, validationCurvesSpec, type CurvePoint } from "./charts.ts";
import { formatMetric, type MetricCell } from "./format.ts";

/** A paired test of one model against another on the same users (the runner computes it). */
export interface PairedSummary {
  meanDifference: number;
  tPValue: number;
  wilcoxonPValue: number;
  effectSize: number;
  /** Users paired (each user's metric averaged over the seeds first). */
  users: number;
  /** The p-values Holm-adjusted across the comparisons in the same column of the table. */
  tPValueHolm: number;
  wilcoxonPValueHolm: number;
}

/** How a compared config was tuned before its run: the chosen values and what the search did. */
export interface TunedSummary {
  params: Record<string, string | number | boolean>;
  /** The chosen trial's validation value of `metric`. */
  validValue: number;
  metric: string;
  trials: number;
  pruned: number;
  failed: number;
  bestTrial: number;
}

export interface ComparedRun {
  name: string;
  config: string;
  modelLine: string;
  metrics: Record<string, MetricCell>;
  /** The same metrics on cold targets only (`evaluation.coldItems`), when the run measured them. */
  coldMetrics?: Record<string, MetricCell>;
  fitSeconds: number[];
  /** Where it was tracked ("reused", "not tracked", or the MLflow run). */
  where: string;
  backend: string;
  configHash: string;
  manifests: string[];
  /** Whether the model trains in epochs (its run report draws the learning curves). */
  iterative: boolean;
  /** Per seed, the primary metric on the validation part after each epoch, when training watched it. */
  validCurves?: number[][];
  tuned?: TunedSummary;
  vsBest: PairedSummary | "best" | null;
  vsEase: PairedSummary | "ease" | null | undefined;
}

export interface ComparisonSummary {
  /** The experiment file's `tune:` settings, when every config was tuned before it ran. */
  tuning?: { space: string; budget: number; sampler: string; startup?: number; seeds: number[]; prune: boolean; set: string[];
    /** Set when the values were chosen by another comparison's tuning (`tunedIn:`), not on this comparison's protocol. */
    from?: string };
  name: string;
  description?: string;
  /** The experiment file's prose, printed after the figures. */
  discussion?: string;
  seeds: number[];
  overrides: string[];
  primary: string;
  /** Columns of the main table, in order (those every run has). */
  columns: string[];
  /** Cut-offs of the recall@K chart. */
  ks: number[];
  runs: ComparedRun[];
}

/** Writes `<reportsDir>/<name>.md` and its charts in `<reportsDir>/<name>/`; returns the report's path. */
export async function writeComparisonReport(c: ComparisonSummary, reportsDir: string): Promise<string> {
  const chartDir = join(reportsDir, c.name);
  mkdirSync(chartDir, { recursive: true });
  const p = c.primary;
  const best = c.runs.find((r) => r.vsBest === "best");
  const hasEase = c.runs.some((r) => r.vsEase === "ease");
  const pv = (v: number) => (v < 1e-300 ? "< 1e-300" : `= ${v.toExponential(1)}`);
  const fmtP = (x: PairedSummary | null) => (x ? `Δ ${x.meanDifference >= 0 ? "+" : ""}${x.meanDifference.toFixed(4)}, t p ${pv(x.tPValue)} (Holm p ${pv(x.tPValueHolm)}), Wilcoxon p ${pv(x.wilcoxonPValue)} (Holm p ${pv(x.wilcoxonPValueHolm)}), d_z = ${x.effectSize.toFixed(2)}, ${x.users} users` : "not paired (different splits)");
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  const lines = [
    `# Comparison: ${c.name}`,
    "",
    c.description ?? "",
    "",
    `Seeds ${c.seeds.join(", ")}; shared overrides: ${c.overrides.length ? c.overrides.map((s) => `\`${s}\``).join(", ") : "none"}. Test metrics, mean ± 95% CI half-width over seeds. Primary metric: ${p}.`,
    "",
    `| model | ${c.columns.join(" | ")} | fit s | runs |`,
    `|---|${c.columns.map(() => "---:").join("|")}|---:|---|`,
    ...c.runs.map((r) => `| ${r.name} (${r.modelLine}) | ${c.columns.map((k) => (r === best && k === p ? `**${formatMetric(r.metrics[k])}**` : formatMetric(r.metrics[k]))).join(" | ")} | ${mean(r.fitSeconds).toFixed(2)} | ${r.where} |`),
    "",
    `## Paired significance on ${p} (same users, same splits; each user's ${p} averaged over the seeds, then paired)`,
    "",
    "| model | vs best | vs EASE |",
    "|---|---|---|",
    ...c.runs.map((r) => `| ${r.name} | ${r.vsBest === "best" ? "(best)" : fmtP(r.vsBest)} | ${!hasEase ? "no EASE in this comparison" : r.vsEase === "ease" ? "(EASE)" : fmtP(r.vsEase ?? null)} |`),
    "",
    "Δ is the mean per-user difference (this model minus the other), each user's value first averaged over the seeds: the seeds' values of one user are not independent samples, so they are not pooled as if they were. Paired t-test and Wilcoxon signed-rank, two-sided; in parentheses, Holm's adjustment across the comparisons of the same column (every model against the best; every model against EASE), which bounds the family-wise error. d_z = mean(Δ)/sd(Δ).",
    "",
    ...tuningSection(c),
    ...coldSection(c),
    ...(c.discussion ? ["## Discussion", "", c.discussion.trim(), ""] : []),
    "## Charts",
    "",
  ];
  const curve = (metric: string): CurvePoint[] => c.runs.flatMap((r) => c.ks.filter((k) => r.metrics[`${metric}@${k}`]).map((k) => {
    const m = r.metrics[`${metric}@${k}`];
    return { model: r.name, k, value: m.mean, lo: m.ci95[0], hi: m.ci95[1] };
  }));
  writeFileSync(join(chartDir, "recall-at-k.svg"), await renderSvg(metricAtKSpec("recall", curve("recall"))));
  // NDCG@K beside recall@K where there is more than one K: recall counts hits, NDCG also where they rank.
  const ndcgCurve = c.ks.length > 1 ? curve("ndcg") : [];
  if (ndcgCurve.length) writeFileSync(join(chartDir, "ndcg-at-k.svg"), await renderSvg(metricAtKSpec("ndcg", ndcgCurve)));
  const bars: CurvePoint[] = c.runs.map((r) => ({ model: r.name, k: 0, value: r.metrics[p].mean, lo: r.metrics[p].ci95[0], hi: r.metrics[p].ci95[1] }));
  writeFileSync(join(chartDir, "primary.svg"), await renderSvg(barSpec(p, bars)));
  const timed = c.runs.filter((r) => r.fitSeconds.length).map((r) => ({ model: r.name, seconds: Math.max(1e-3, mean(r.fitSeconds)), value: r.metrics[p].mean, lo: r.metrics[p].ci95[0], hi: r.metrics[p].ci95[1] }));
  writeFileSync(join(chartDir, "quality-vs-time.svg"), await renderSvg(qualityVsTimeSpec(p, timed)));
  lines.push(`![recall@K](${c.name}/recall-at-k.svg)`, "", ...(ndcgCurve.length ? [`![ndcg@K](${c.name}/ndcg-at-k.svg)`, ""] : []), `![${p}](${c.name}/primary.svg)`, "");
  lines.push(`${p} against the mean training time of a seed (log scale; the fit only, not evaluation), on this machine and backend — what each step up in quality costs:`, "", `![${p} against training time](${c.name}/quality-vs-time.svg)`, "");
  const iterative = c.runs.filter((r) => r.iterative).map((r) => r.name);
  const watched = c.runs.filter((r) => r.validCurves?.length);
  if (watched.length) {
    const points = watched.flatMap((r) => r.validCurves!.flatMap((curve, s) => curve.map((value, e) => ({ model: r.name, seed: c.seeds[s] ?? s + 1, epoch: e + 1, value })).filter((pt) => Number.isFinite(pt.value))));
    writeFileSync(join(chartDir, "learning-curves.svg"), await renderSvg(validationCurvesSpec(p, points)));
    lines.push(`Validation ${p} after each epoch, every seed (one line each), for the models that stopped on it — where each peaks, how fast, and how far apart the seeds end:`, "", `![validation ${p} by epoch](${c.name}/learning-curves.svg)`, "");
  }
  lines.push(iterative.length ? `Training loss and validation curves of ${iterative.join(", ")}, seed by seed: in each run's report.md (learning-curve.svg).` : "None of these models trains iteratively, so there are no learning curves.", "");
  for (const r of c.runs) lines.push(`- ${r.name}: \`${r.config}\`, config sha256 ${r.configHash.slice(0, 12)}, backend ${r.backend}, split manifests ${r.manifests.map((h) => h.slice(0, 10)).join(", ")}`);
  const file = join(reportsDir, `${c.name}.md`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Cold-start: the runs that evaluated cold targets (items with few training ratings), side by side. */
function coldSection(c: ComparisonSummary): string[] {
  const cold = c.runs.filter((r) => r.coldMetrics);
  if (!cold.length) return [];
  const columns = [...c.ks.map((k) => `recall@${k}`), `ndcg@${c.ks[0]}`].filter((k) => cold.every((r) => r.coldMetrics![k]));
  return [
    "## Cold items",
    "",
    "The same users' targets restricted to items with few training ratings (`evaluation.coldItems`; users with no such target left out), ranked among those cold items only: where collaborative item vectors have little to learn from and content vectors do not need ratings.",
    "",
    `| model | ${columns.map((k) => `cold ${k}`).join(" | ")} |`,
    `|---|${columns.map(() => "---:").join("|")}|`,
    ...cold.map((r) => `| ${r.name} | ${columns.map((k) => formatMetric(r.coldMetrics![k])).join(" | ")} |`),
    "",
  ];
}

/** How each config was tuned (an experiment file with `tune:`): the same budget for every model, on validation seeds. */
function tuningSection(c: ComparisonSummary): string[] {
  if (!c.tuning) return [];
  const t = c.tuning;
  const fmt = (v: string | number | boolean) => (typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(4) : String(v));
  return [
    "## Tuning",
    "",
    t.from
      ? `Every config runs with the values that the tuning of \`${t.from}\` chose for it; they were not tuned again on this protocol. There, every config with an entry in \`${t.space}\` was tuned with the same budget (${t.budget} trials, ${t.sampler} sampler${t.sampler === "tpe" && t.startup ? ` after ${Math.min(t.startup, t.budget)} random trials` : ""}), scored on the validation part of seed${t.seeds.length > 1 ? "s" : ""} ${t.seeds.join(", ")}. The validation figures below are that comparison's.`
      : `Every config with an entry in \`${t.space}\` was tuned before its run: \`pnpm tune\` with the same budget for each (${t.budget} trials, ${t.sampler} sampler${t.sampler === "tpe" && t.startup ? ` after ${Math.min(t.startup, t.budget)} random trials` : ""}${t.prune ? ", median-rule pruning of trials that early-stop on their validation part" : ""}), scored on the validation part of seed${t.seeds.length > 1 ? "s" : ""} ${t.seeds.join(", ")} — never the seeds above${t.set.length ? `, with ${t.set.map((x) => `\`${x}\``).join(", ")} for the trials only` : ""} — and the chosen values were then run on the comparison's seeds.`,
    "",
    "| model | chosen values | valid | trials (pruned, failed) |",
    "|---|---|---:|---|",
    ...c.runs.map((r) => (r.tuned
      ? `| ${r.name} | ${Object.entries(r.tuned.params).map(([k, v]) => `\`${k}\` ${fmt(v)}`).join(", ")} | ${r.tuned.metric} ${r.tuned.validValue.toFixed(4)} (trial ${r.tuned.bestTrial}) | ${r.tuned.trials} (${r.tuned.pruned}, ${r.tuned.failed}) |`
      : `| ${r.name} | as written (no entry in the space file) | | |`)),
    "",
  ];
}
