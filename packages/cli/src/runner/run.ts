import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { UserError, log, yieldToEvents } from "@mle/core";
import { backendInfo, builtNativePackages, describeModel, initBackend, type BackendInfo } from "@mle/models";
import { integrityWarnings } from "@mle/data";
import { writeRunReport } from "@mle/report";
import { openRecorder, summaryMetrics, type KeyValue, type RunHandle } from "@mle/tracking";
import type { ExperimentConfig } from "../config/schema.ts";
import type { SeedResult } from "./evaluate-seed.ts";
import { configHash } from "./executor.ts";
import { RunCancelledError, note, runParams, runSeed, runTags, type SeedContext } from "./run-seed.ts";
import { readSeedResult, writeSeedResult } from "./seed-result-file.ts";
import type { PruneRule } from "./epoch-monitor.ts";
import { prepareExperiment, type PreparedExperiment } from "./prepare.ts";
import { InterruptGuard } from "./interrupt.ts";
import { provenance } from "./provenance.ts";
import { aggregate, aggregateReferences, aggregateCold, aggregateValid, type Results } from "./results.ts";
import { runSummary } from "./summary.ts";

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
export interface RunOptions {
  /** Extra tags of the parent run (a tuning trial: `mlflow.parentRunId` of the tuning run, which nests it there). */
  parentTags?: KeyValue[];
  /** A tuner's pruning rule, asked after every validated epoch of every seed. */
  prune?: PruneRule;
  /** Build the serving index beside each saved model (default true). */
  servingIndex?: boolean;
  /** Where to track when the config names no `tracking.uri` (a queued run: the submitter's, not the worker's). */
  trackingUri?: string;
  /** The release's checksum the submitter saw: a worker whose data differs refuses the run before training. */
  expectDataChecksum?: string;
  /** Stops the run between epochs and seeds (`pnpm queue cancel`): its MLflow runs end KILLED. */
  signal?: AbortSignal;
  /** The MLflow run this process opened (the parent; a seed job's child), as soon as it exists: a queue worker remembers it, to end it KILLED if the worker dies. */
  onRunStarted?: (runId: string, uri: string) => Promise<void>;
  /** The parent run an earlier process of the same queue submission opened: reopened, not created again. */
  resumeParentRunId?: string;
  /** Tags of each seed's child run (a seed job: its queue job and attempt). */
  seedTags?: KeyValue[];
  /** Runs each seed elsewhere (a queue's workers), all at once, under the parent run given; the seed's folder then holds its result. */
  seedJobs?: (seed: number, parentRunId: string | undefined) => Promise<void>;
  /** Where the run is: each seed as it starts, each epoch as it ends. */
  onProgress?: (p: { seed: number; seedIndex: number; seeds: number; epoch?: number; valid?: number }) => Promise<void>;
}

export { RunCancelledError } from "./run-seed.ts";

/**
 * One seed of a config, as a queue worker runs it: the seed's split and model in `outDir/seed-<seed>`, its MLflow run
 * a child of the submitter's parent run, and its whole result written beside it (seed-result.bin) for the submitter.
 */
export async function runSeedJob(config: ExperimentConfig, configFile: string, outDir: string, seed: number, parentRunId: string | undefined, o: RunOptions = {}): Promise<SeedResult> {
  const guard = new InterruptGuard(outDir);
  try {
    const engine = await useEngine(config);
    const hash = configHash(config);
    const prepared = await prepareExperiment({ ...config, experiment: { ...config.experiment, seeds: [seed] } }, outDir);
    checkData(config, prepared, o);
    const s = prepared.seeds[0];
    guard.unfinished = [s.dir];
    const rec = config.tracking.enabled ? openRecorder(config.tracking.uri ?? o.trackingUri ?? process.env.MLFLOW_TRACKING_URI) : null;
    guard.recorder = rec;
    const experimentName = config.tracking.experiment ?? config.experiment.name;
    const parent = rec && parentRunId ? rec.existingRun(experimentName, parentRunId) : undefined;
    const ctx: SeedContext = { config, configFile, prepared, rec, experimentName, tags: runTags(configFile, hash, prepared, engine, provenance()), params: runParams(config), o, onChildRun: o.onRunStarted };
    try {
      const r = await runSeed(ctx, s, config.experiment.seeds.indexOf(seed), parent, config.experiment.seeds.length);
      writeSeedResult(s.dir, r);
      guard.seedDone(seed, s.dir);
      return r;
    } catch (e) {
      await rec?.endAll(e instanceof RunCancelledError ? "KILLED" : "FAILED").catch(() => undefined);
      throw e;
    }
  } finally {
    guard.dispose();
  }
}

export async function runExperiment(config: ExperimentConfig, configFile: string, outDir: string, o: RunOptions = {}): Promise<ExperimentRun> {
  const guard = new InterruptGuard(outDir);
  try {
    return await run(config, configFile, outDir, guard, o);
  } finally {
    guard.dispose();
  }
}

async function run(config: ExperimentConfig, configFile: string, outDir: string, guard: InterruptGuard, o: RunOptions): Promise<ExperimentRun> {
  const engine = await useEngine(config);
  const prepared = await prepareExperiment(config, outDir);
  checkData(config, prepared, o);
  guard.unfinished = prepared.seeds.map((s) => s.dir);
  const rec = config.tracking.enabled ? openRecorder(config.tracking.uri ?? o.trackingUri ?? process.env.MLFLOW_TRACKING_URI) : null;
  guard.recorder = rec;
  const experimentName = config.tracking.experiment ?? config.experiment.name;
  const prov = provenance();
  const tags = runTags(configFile, prepared.configHash, prepared, engine, prov);
  const params = runParams(config);
  let parent: RunHandle | undefined;
  try {
    if (rec) {
      if (o.resumeParentRunId) {
        parent = rec.existingRun(experimentName, o.resumeParentRunId, true);
      } else {
        parent = await rec.startRun(experimentName, config.experiment.name, [...tags, ...(o.parentTags ?? [])]);
        await rec.log(parent, { params });
        await o.onRunStarted?.(parent.id!, rec.uri);
      }
      await rec.inputs(parent, [{ name: prepared.loaded.dataset.name, digest: prepared.loaded.dataset.checksum.slice(0, 36), source: prepared.loaded.located.dir, sourceType: "local", context: "training" }]);
      await rec.experimentTag(experimentName, "mlflow.note.content", note(`${config.experiment.description ? `${config.experiment.description}\n\n` : ""}Runs of \`${configFile}\` (${describeModel(config.model)} on ${prepared.loaded.dataset.name}, \`${config.split.kind}\` split): one parent run per \`pnpm exp\`, one child run per seed. Each parent's description is its report.`, 20000));
    }
    const ctx: SeedContext = { config, configFile, prepared, rec, experimentName, tags, params, o };
    let seeds: SeedResult[];
    if (o.seedJobs) {
      // Every seed at once on the queue's workers; each writes its result beside its split.
      seeds = await Promise.all(prepared.seeds.map(async (s) => {
        await o.seedJobs!(s.seed, parent?.id);
        guard.seedDone(s.seed, s.dir);
        if (!existsSync(join(s.dir, "seed-result.bin"))) {
          throw new UserError(`seed ${s.seed} finished on a worker, but ${join(s.dir, "seed-result.bin")} is not here: the worker wrote its run folder elsewhere`, "workers and the submitting command need one runs folder: a shared file system mounted at the same path, and workers started in a checkout at the submitter's path");
        }
        return readSeedResult(s.dir);
      }));
    } else {
      seeds = [];
      for (const [seedIndex, s] of prepared.seeds.entries()) {
        await yieldToEvents();
        seeds.push(await runSeed(ctx, s, seedIndex, parent));
        guard.seedDone(s.seed, s.dir);
      }
    }
    const iterative = seeds.some((s) => s.training.curve.length > 0);
    const results: Results = {
      experiment: config.experiment.name,
      configHash: prepared.configHash,
      model: seeds[0].model,
      backend: seeds[0].backend,
      engine,
      dataset: { name: prepared.loaded.dataset.name, checksum: prepared.loaded.dataset.checksum, warnings: integrityWarnings(prepared.loaded.dataset) },
      split: { kind: config.split.kind, manifests: prepared.seeds.map((s) => s.split.manifest.hash) },
      seeds: seeds.map((s) => s.seed),
      metrics: aggregate(seeds),
      validMetrics: aggregateValid(seeds),
      coldMetrics: aggregateCold(seeds),
      usersEvaluated: seeds.map((s) => s.users.length),
      usersWithoutRelevant: seeds.map((s) => s.usersWithoutRelevant),
      fitSeconds: seeds.map((s) => s.fitSeconds),
      evaluateSeconds: seeds.map((s) => s.evaluateSeconds),
      ...(iterative ? { training: {
        epochsRun: seeds.map((s) => s.training.epochsRun), keptEpoch: seeds.map((s) => s.training.keptEpoch), stoppedEarly: seeds.map((s) => s.training.stoppedEarly),
        ...(seeds[0].training.watched ? { watched: seeds[0].training.watched, validCurves: seeds.map((s) => s.training.curve.map((pt) => pt.valid ?? NaN)) } : {}),
      } } : {}),
      references: aggregateReferences(seeds),
    };
    const written = ["results.json", "config.yaml"];
    writeFileSync(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(outDir, "config.yaml"), stringify(config));
    const tracking = rec && parent ? { uri: rec.uri, parentRunId: parent.id!, experiment: experimentName, failedOver: rec.failedOver } : null;
    written.push(...(await writeRunReport(runSummary(config, configFile, prepared, seeds, results, tracking, prov), outDir)));
    if (rec && parent) {
      const report = readFileSync(join(outDir, "report.md"), "utf8");
      await rec.log(parent, { metrics: summaryMetrics(results.metrics), tags: [{ key: "mle.backend", value: results.backend }, { key: "mle.seeds", value: results.seeds.join(",") }, { key: "mlflow.note.content", value: note(report, 8000) }] });
      for (const f of written) await rec.artifact(parent, f, join(outDir, f));
      await rec.end(parent, "FINISHED");
    }
    // Recomputed: the recorder may have failed over while the parent run was being written.
    const tracked = rec && parent ? { ...tracking!, failedOver: rec.failedOver } : null;
    // Beside results.json, so that a comparison reusing this folder can still cite the run.
    if (tracked) writeFileSync(join(outDir, "tracking.json"), `${JSON.stringify(tracked, null, 2)}\n`);
    return { prepared, seeds, results, tracking: tracked };
  } catch (e) {
    await rec?.endAll(e instanceof RunCancelledError ? "KILLED" : "FAILED").catch(() => undefined);
    throw e;
  }
}

/** A queued run refuses data that differs from what the submitter saw, before it trains. */
function checkData(config: ExperimentConfig, prepared: PreparedExperiment, o: RunOptions): void {
  const checksum = prepared.loaded.dataset.checksum;
  if (o.expectDataChecksum && o.expectDataChecksum !== checksum) {
    throw new UserError(`${config.data.dataset} here (sha256 ${checksum.slice(0, 12)}, from ${prepared.loaded.located.dir}) differs from the submitter's (sha256 ${o.expectDataChecksum.slice(0, 12)}): refusing to run on other data`, "give this machine the same release (MOVIELENS_MIRROR or its cache), or run the job elsewhere");
  }
}

/** The backend the config (or $MLE_BACKEND) asks for; on wasm, one line on how to get the native one. */
export async function useEngine(c: ExperimentConfig): Promise<BackendInfo> {
  await initBackend(c.engine.backend === "auto" ? undefined : c.engine.backend);
  const info = backendInfo();
  if (info.name !== "tensorflow") {
    log(builtNativePackages().length
      ? `backend: ${info.name} (chosen by ${c.engine.backend === "auto" ? "$MLE_BACKEND" : "engine.backend"}; the native TensorFlow backend is built here)`
      : `backend: ${info.name}, one thread — \`pnpm setup-native\` builds the native TensorFlow backend (8–35× faster training, both cores)`);
  } else {
    log(`backend: native TensorFlow ${info.version} (${info.package}, ${info.device})`);
  }
  return info;
}
