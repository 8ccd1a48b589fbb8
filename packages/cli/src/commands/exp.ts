import { Command } from "commander";
import { join, basename } from "node:path";
import { setQuiet } from "@mle/core";
import { AT_K_FAMILIES } from "@mle/metrics";
import { describeModel as modelLine } from "@mle/models";
import { formatMetric } from "@mle/report";
import { runExperiment } from "../runner/run.ts";
import type { Results } from "../runner/results.ts";
import { loadConfig } from "../config/load.ts";
import { int, pct, table } from "../format.ts";
import { prepareExperiment, type PreparedExperiment } from "../runner/prepare.ts";
import type { ExperimentConfig } from "../config/schema.ts";
import { defaultTrackingUri, type RunExecutor } from "../runner/executor.ts";
import { withExecutor, withQueueOptions, type QueueFlags } from "./queue-options.ts";

export function expCommand(): Command {
  return withQueueOptions(new Command("exp")
    .description("run an experiment from a YAML config: data → split → model → evaluation → tracking")
    .argument("<config>", "experiment YAML, e.g. configs/mf.yaml")
    .option("--dry-run", "load data and build the splits, print their summary, train nothing")
    .option("--set <key=value>", "override a config key (repeatable), e.g. --set model.factors=128", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--seeds <list>", "comma-separated seeds, overriding experiment.seeds")
    .option("--out <dir>", "where run files go (default runs/<experiment>/<time>)")
    .option("--json", "print a JSON summary as the last line of stdout")
    .option("-q, --quiet", "no progress output"))
    .action(async (file: string, o: QueueFlags & { dryRun?: boolean; set: string[]; seeds?: string; out?: string; json?: boolean; quiet?: boolean }) => {
      if (o.quiet) setQuiet(true);
      const overrides = [...o.set];
      if (o.seeds) overrides.push(`experiment.seeds=[${o.seeds}]`);
      const { config } = loadConfig(file, overrides);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
      const outDirFor = (executor?: RunExecutor) => o.out ?? join("runs", config.experiment.name, executor?.submissionId ?? stamp);
      const outDir = outDirFor();
      if (o.dryRun) {
        const prepared = await prepareExperiment(config, outDir);
        process.stdout.write(`${summary(config, prepared, basename(file), outDir)}\n`);
        process.stdout.write(`\ndry run: stopped before training ${describeModel(config)}\n`);
        if (o.json) process.stdout.write(`${JSON.stringify(jsonSummary(config, prepared, outDir))}\n`);
        return;
      }
      await withExecutor("exp", o, async (executor) => {
        if (executor.parallel) {
          const outDir = outDirFor(executor);
          // On a worker: the split summary stays in its log; the metrics and where they went come back.
          const run = await executor.run({ label: `${config.experiment.name} (exp)`, configFile: file, overrides, outDir, trackingUri: defaultTrackingUri() });
          process.stdout.write(`${metricsTable(config, run.results)}\n\nresults: ${join(outDir, "results.json")} · report: ${join(outDir, "report.md")}\n`);
          if (run.tracking) process.stdout.write(`tracked: ${run.tracking.uri} experiment "${run.tracking.experiment}", parent run ${run.tracking.parentRunId}\n`);
          if (o.json) process.stdout.write(`${JSON.stringify(run.results)}\n`);
          return;
        }
        await runHere(config, file, outDir, o.json);
      });
    });
}

async function runHere(config: ExperimentConfig, file: string, outDir: string, json?: boolean): Promise<void> {
  const run = await runExperiment(config, file, outDir);
  const results = run.results;
  process.stdout.write(`${summary(config, run.prepared, basename(file), outDir)}\n`);
  process.stdout.write(`\n${metricsTable(config, results)}\n\nresults: ${join(outDir, "results.json")} · report: ${join(outDir, "report.md")}\n`);
  if (run.tracking) {
    const t = run.tracking;
    process.stdout.write(t.failedOver
      ? `MLflow at ${t.failedOver} stopped answering: the runs were finished in ${t.uri} (nothing lost); send them with: pnpm tracking sync --to ${t.failedOver}\n`
      : `tracked: ${t.uri} experiment "${t.experiment}", parent run ${t.parentRunId}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
}

function describeModel(c: ExperimentConfig): string {
  return modelLine(c.model);
}

/** Test metrics, mean ± 95% half-width over seeds: one row per metric, one column per K. */
export function metricsTable(c: ExperimentConfig, r: Results): string {
  const ks = [...new Set(c.evaluation.k)].sort((a, b) => a - b);
  const rows = AT_K_FAMILIES.filter((m) => ks.some((k) => r.metrics[`${m}@${k}`])).map((m) => [m, ...ks.map((k) => (r.metrics[`${m}@${k}`] ? formatMetric(r.metrics[`${m}@${k}`]) : ""))]);
  const extra = ["mrr", "candidate_recall", "rmse", "mae"].filter((m) => r.metrics[m]).map((m) => `${m} ${formatMetric(r.metrics[m])}`);
  const v = r.validMetrics;
  const k0 = ks[0];
  if (v) extra.push(`| validation: ndcg@${k0} ${formatMetric(v[`ndcg@${k0}`])}, recall@${k0} ${formatMetric(v[`recall@${k0}`])}${v.rmse ? `, rmse ${formatMetric(v.rmse)}` : ""}`);
  const cold = r.coldMetrics;
  if (cold) extra.push(`| cold items (≤ ${c.evaluation.coldItems} training ratings): ${ks.map((k) => `recall@${k} ${formatMetric(cold[`recall@${k}`])}`).join(", ")}`);
  const kept = r.training ? `kept epoch ${r.training.keptEpoch.join("/")} of ${r.training.epochsRun.join("/")} run` : "";
  const seeds = r.seeds.length;
  return [
    `test metrics of ${r.model} (${seeds} seed${seeds > 1 ? "s" : ""}: ${r.seeds.join(", ")}; ${seeds > 1 ? "mean ± 95% CI half-width over seeds" : "one seed: no interval over seeds"}; ` +
      `${r.usersEvaluated.join("/")} users evaluated, ${r.usersWithoutRelevant.join("/")} without a relevant target)`,
    table(["metric", ...ks.map((k) => `@${k}`)], rows),
    extra.join(" · "),
    `fit ${r.fitSeconds.map((t) => t.toFixed(2)).join("/")} s${kept ? ` (${kept})` : ""} · evaluate ${r.evaluateSeconds.map((t) => t.toFixed(2)).join("/")} s · TensorFlow.js backend: ${r.backend}${r.engine ? ` (${r.engine.name === "tensorflow" ? "TensorFlow" : "TF.js"} ${r.engine.version}, ${r.engine.device})` : ""}`,
  ].filter(Boolean).join("\n");
}

export function summary(c: ExperimentConfig, p: PreparedExperiment, file: string, outDir: string): string {
  const d = p.loaded.dataset;
  const x = p.interactions;
  const r = x.report;
  const head = [
    `experiment   ${c.experiment.name} (${file}, config sha256 ${p.configHash.slice(0, 12)})`,
    `dataset      ${d.name}: ${int(d.nRatings)} ratings, ${int(d.nUsers)} users, ${int(d.nItems)} movies (sha256 ${d.checksum.slice(0, 12)}, ${p.loaded.fromCache ? "cached" : "ingested"} from ${p.loaded.located.origin})`,
    `preprocess   ${c.data.feedback.kind}${c.data.feedback.kind === "implicit" ? ` (rating ≥ ${c.data.feedback.minRating})` : ""}, ` +
      `${int(r.duplicatesRemoved)} duplicates, ${int(r.belowThreshold)} below threshold, ${int(r.kCoreRemoved)} by ${c.data.kCore.users}/${c.data.kCore.items}-core`,
    `interactions ${int(x.n)} · users ${int(x.nUsers)} · items ${int(x.nItems)} · sparsity ${pct(1 - x.n / (x.nUsers * x.nItems))}`,
    `split        ${c.split.kind} ${JSON.stringify(p.seeds[0].split.params)}`,
    `model        ${describeModel(c)}`,
    "",
  ];
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  for (const s of p.seeds) {
    const m = s.split.manifest.counts;
    const parts: [string, { rows: number; users: number; items: number }][] = [["train", m.train]];
    if (m.valid) parts.push(["valid history", m.valid.history], ["valid target", m.valid.target]);
    parts.push(["test history", m.test.history], ["test target", m.test.target]);
    parts.forEach(([name, cnt], i) => rows.push([i === 0 ? String(s.seed) : "", name, cnt.rows, cnt.users, cnt.items, pct(cnt.rows / x.n, 1)]));
    const extra = Object.entries(s.split.manifest.notes).map(([k, v]) => `${k} ${int(v)}`).join(", ");
    notes.push(`seed ${s.seed}: manifest sha256 ${s.split.manifest.hash}${extra ? `; ${extra}` : ""}`);
  }
  return [
    ...head,
    table(["seed", "part", "rows", "users", "items", "share"], rows, ["l", "l"]),
    "",
    ...notes,
    `split files: ${outDir}/seed-*/split-manifest.json`,
    "",
    `why this split: ${p.seeds[0].split.justification}`,
  ].join("\n");
}

function jsonSummary(c: ExperimentConfig, p: PreparedExperiment, outDir: string) {
  return {
    experiment: c.experiment.name,
    configHash: p.configHash,
    dataset: { name: p.loaded.dataset.name, checksum: p.loaded.dataset.checksum, users: p.loaded.dataset.nUsers, items: p.loaded.dataset.nItems, ratings: p.loaded.dataset.nRatings },
    preprocessing: p.interactions.report,
    seeds: p.seeds.map((s) => ({ seed: s.seed, manifest: s.split.manifest })),
    outDir,
  };
}
