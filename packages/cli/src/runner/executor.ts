import { isAbsolute, resolve } from "node:path";
import { UserError, sha256, stableStringify } from "@mle/core";
import type { KeyValue } from "@mle/tracking";
import { MedianPruner } from "@mle/tune";
import { loadConfig } from "../config/load.ts";
import type { Results } from "./results.ts";
import { runExperiment, type ExperimentRun, type RunOptions } from "./run.ts";
import type { ExperimentConfig } from "../config/schema.ts";

/** The median rule's state, as data: what a trial on another machine needs to prune as a local one would. */
export interface PruneSpec {
  warmupTrials: number;
  warmupEpochs: number;
  /** Earlier trials' validation curves, higher is better. */
  history: number[][];
}

/** One `pnpm exp`-style run, described so that any machine with the same checkout can run it. */
export interface RunRequest {
  /** For people: "bpr (compare ci)". */
  label: string;
  configFile: string;
  overrides: string[];
  outDir: string;
  tags?: KeyValue[];
  servingIndex?: boolean;
  prune?: PruneSpec;
  /** The submitter's default tracking URI (config `tracking.uri` wins), absolute if a path. */
  trackingUri?: string;
  /** What the submitter saw: a worker with another config or other data refuses the run. */
  expect?: { configHash: string; dataChecksum?: string };
}

export interface RunOutcome {
  results: Results;
  tracking: ExperimentRun["tracking"];
  pruned: boolean;
  /** The first seed's validation value after each epoch (NaN where none). */
  curve: number[];
}

/** Where runs happen: here, one after another, or on a work queue's workers, many at once. */
export interface RunExecutor {
  readonly parallel: boolean;
  /** A queue submission's id: a resumed command's default folders are named by it, not by the time, so it finds its jobs. */
  readonly submissionId?: string;
  run(r: RunRequest): Promise<RunOutcome>;
}

/** The config a request names, checked against what the submitter saw, and the run options it carries. */
export function requestOptions(r: RunRequest): { config: ExperimentConfig; options: RunOptions } {
  const { config } = loadConfig(r.configFile, r.overrides);
  if (r.expect && configHash(config) !== r.expect.configHash) {
    throw new UserError(`${r.configFile} with its overrides here (config sha256 ${configHash(config).slice(0, 12)}) differs from the submitter's (${r.expect.configHash.slice(0, 12)})`, "workers need the submitter's checkout (same commit, same config files)");
  }
  let prune: RunOptions["prune"];
  if (r.prune) {
    const pruner = new MedianPruner({ warmupTrials: r.prune.warmupTrials, warmupEpochs: r.prune.warmupEpochs });
    for (const c of r.prune.history) pruner.record(c);
    prune = (curve) => pruner.shouldPrune(curve);
  }
  return { config, options: { parentTags: r.tags, servingIndex: r.servingIndex, prune, trackingUri: r.trackingUri, expectDataChecksum: r.expect?.dataChecksum } };
}

/** Runs a request here (`pnpm exp`'s path); with `seedJobs`, its seeds run on a queue's workers. */
export async function executeRun(r: RunRequest, hooks: Pick<RunOptions, "signal" | "onRunStarted" | "onProgress" | "seedJobs" | "resumeParentRunId"> = {}): Promise<RunOutcome> {
  const { config, options } = requestOptions(r);
  const run = await runExperiment(config, r.configFile, r.outDir, { ...options, ...hooks });
  return { results: run.results, tracking: run.tracking, pruned: run.seeds.some((s) => s.training.pruned), curve: run.seeds[0].training.curve.map((p) => p.valid ?? NaN) };
}

export function configHash(config: unknown): string {
  return sha256(stableStringify(config));
}

/** Runs one at a time, in this process. */
export const localExecutor: RunExecutor = { parallel: false, run: (r) => executeRun(r) };

/** The tracking URI a run would use here when its config names none, as another machine can read it. */
export function defaultTrackingUri(): string | undefined {
  const uri = process.env.MLFLOW_TRACKING_URI;
  if (!uri || /^[a-z]+:\/\//i.test(uri)) return uri;
  return isAbsolute(uri) ? uri : resolve(uri);
}

/** Each item through `work`, one after another (here) or all at once (a queue). */
export async function forEach<T, R>(executor: RunExecutor, items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  if (executor.parallel) return Promise.all(items.map(work));
  const out: R[] = [];
  for (const item of items) out.push(await work(item));
  return out;
}
