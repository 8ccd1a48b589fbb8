import { existsSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { stringify } from "yaml";
import { log } from "@mle/core";
import { mlflowKey, openRecorder, type RunHandle, type RunRecorder } from "@mle/tracking";
import type { ExperimentConfig } from "../config/schema.ts";
import { watchedMetric } from "./epoch-monitor.ts";
import { evaluateSeed, type SeedResult } from "./evaluate-seed.ts";
import { prepareExperiment, type PreparedExperiment } from "./prepare.ts";
import { flatten, provenance } from "./provenance.ts";
import { writeRunReport } from "./report.ts";
import { aggregate, aggregateValid, type Results } from "./results.ts";

export interface ExperimentRun {
  prepared: PreparedExperiment;
  seeds: SeedResult[];
  results: Results;
  /** Where the runs were tracked, and how to find them. */
  tracking: { uri: string; parentRunId: string; experiment: string; failedOver: string | null } | null;
}

/**
 * config → data → split → (per seed: fit → evaluate → child run) → aggregate → parent run, report.
 * Each seed is an MLflow child run of one parent per config; the parent carries mean, std and the
 * 95% interval of every metric. Ctrl-C ends the runs KILLED, an error FAILED.
 */
export async function runExperiment(config: ExperimentConfig, configFile: string, outDir: string): Promise<ExperimentRun> {
  const prepared = await prepareExperiment(config, outDir);
  const rec = config.tracking.enabled ? openRecorder(config.tracking.uri ?? process.env.MLFLOW_TRACKING_URI) : null;
  const experimentName = config.tracking.experiment ?? config.experiment.name;
  const prov = provenance();
  const tags = [
    { key: "mle.configHash", value: prepared.configHash },
    { key: "mle.configFile", value: configFile },
    { key: "mlflow.source.git.commit", value: prov.gitCommit },
    { key: "mle.gitDirty", value: String(prov.gitDirty) },
    { key: "mle.node", value: prov.node },
    { key: "mle.packages", value: JSON.stringify(prov.packages) },
    { key: "mle.dataset", value: prepared.loaded.dataset.name },
    { key: "mle.dataChecksum", value: prepared.loaded.dataset.checksum },
  ];
  const params = Object.entries(flatten(config)).map(([key, value]) => ({ key, value: value.slice(0, 6000) }));
  let parent: RunHandle | undefined;
  const onSigint = async () => {
    log("interrupted: ending the runs as KILLED");
    await rec?.endAll("KILLED");
    process.exit(130);
  };
  process.once("SIGINT", onSigint);
  try {
    if (rec) {
      parent = await rec.startRun(experimentName, config.experiment.name, tags);
      await rec.log(parent, { params });
      await rec.inputs(parent, [{ name: prepared.loaded.dataset.name, digest: prepared.loaded.dataset.checksum.slice(0, 36), source: prepared.loaded.located.dir, sourceType: "local", context: "training" }]);
    }
    const seeds: SeedResult[] = [];
    for (const s of prepared.seeds) {
      const child = rec && parent ? await rec.startRun(experimentName, `${config.experiment.name}-seed-${s.seed}`, [...tags, { key: "mle.seed", value: String(s.seed) }, { key: "mle.splitHash", value: s.split.manifest.hash }], parent) : undefined;
      if (rec && child) await rec.log(child, { params: [...params, { key: "seed", value: String(s.seed) }] });
      const r = await evaluateSeed(config, prepared.interactions, s);
      seeds.push(r);
      if (rec && child) {
        const now = Date.now();
        const metrics = [
          ...Object.entries(r.metrics).map(([k, value]) => ({ key: mlflowKey(k), value, timestamp: now, step: 0 })),
          ...Object.entries(r.validMetrics ?? {}).map(([k, value]) => ({ key: mlflowKey(`valid/${k}`), value, timestamp: now, step: 0 })),
          { key: "fit_seconds", value: r.fitSeconds, timestamp: now, step: 0 },
          { key: "evaluate_seconds", value: r.evaluateSeconds, timestamp: now, step: 0 },
          // learning curves: one point per epoch (MLflow draws a metric's history against its step)
          ...r.curve.filter((p) => Number.isFinite(p.loss)).map((p) => ({ key: "train_loss", value: p.loss, timestamp: now, step: p.epoch })),
          ...r.curve.filter((p) => p.valid !== undefined).map((p) => ({ key: mlflowKey(`valid/${watchedMetric(config)}_by_epoch`), value: p.valid!, timestamp: now, step: p.epoch })),
        ];
        await rec.log(child, { metrics, tags: [{ key: "mle.backend", value: r.backend }] });
        await uploadDir(rec, child, s.dir);
        await rec.end(child, "FINISHED");
      }
    }
    const results: Results = {
      experiment: config.experiment.name,
      configHash: prepared.configHash,
      model: seeds[0].model,
      backend: seeds[0].backend,
      dataset: { name: prepared.loaded.dataset.name, checksum: prepared.loaded.dataset.checksum },
      split: { kind: config.split.kind, manifests: prepared.seeds.map((s) => s.split.manifest.hash) },
      seeds: seeds.map((s) => s.seed),
      metrics: aggregate(seeds),
      validMetrics: aggregateValid(seeds),
      usersEvaluated: seeds.map((s) => s.users.length),
      usersWithoutRelevant: seeds.map((s) => s.usersWithoutRelevant),
      fitSeconds: seeds.map((s) => s.fitSeconds),
      evaluateSeconds: seeds.map((s) => s.evaluateSeconds),
    };
    writeFileSync(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(outDir, "config.yaml"), stringify(config));
    const tracking = rec && parent ? { uri: rec.uri, parentRunId: parent.id!, experiment: experimentName, failedOver: rec.failedOver } : null;
    writeRunReport(join(outDir, "report.md"), config, configFile, prepared, seeds, results, tracking, prov);
    if (rec && parent) {
      const now = Date.now();
      const metrics = Object.entries(results.metrics).flatMap(([k, m]) => [
        { key: mlflowKey(k), value: m.mean, timestamp: now, step: 0 },
        { key: mlflowKey(`${k}_std`), value: m.std, timestamp: now, step: 0 },
        { key: mlflowKey(`${k}_ci95_lo`), value: m.ci95[0], timestamp: now, step: 0 },
        { key: mlflowKey(`${k}_ci95_hi`), value: m.ci95[1], timestamp: now, step: 0 },
      ]);
      await rec.log(parent, { metrics, tags: [{ key: "mle.backend", value: results.backend }, { key: "mle.seeds", value: results.seeds.join(",") }] });
      for (const f of ["results.json", "config.yaml", "report.md"]) await rec.artifact(parent, f, join(outDir, f));
      await rec.end(parent, "FINISHED");
    }
    return { prepared, seeds, results, tracking: rec && parent ? { uri: rec.uri, parentRunId: parent.id!, experiment: experimentName, failedOver: rec.failedOver } : null };
  } catch (e) {
    await rec?.endAll("FAILED").catch(() => undefined);
    throw e;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

async function uploadDir(rec: RunRecorder, run: RunHandle, dir: string): Promise<void> {
  const files = ["split-manifest.json", "split-justification.md", "split.bin", "metrics.json", "per-user.bin", "vectors.json", "item-vectors.f32", "user-vectors.f32"];
  for (const f of files) if (existsSync(join(dir, f))) await rec.artifact(run, relative(dir, join(dir, f)), join(dir, f));
}
