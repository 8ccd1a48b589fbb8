import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError, Rng, UserError, log } from "@mle/core";
import { lowerIsBetter } from "@mle/metrics";
import { renderSvg, trialsSpec } from "@mle/report";
import { mlflowKey, openRecorder, type KeyValue } from "@mle/tracking";
import { GridSampler, RandomSampler, TpeSampler, type Params, type Sampler, type ScoredTrial, type SearchSpace } from "@mle/tune";
import { loadConfig } from "../config/load.ts";
import { watchedMetric } from "./evaluation.ts";
import { defaultTrackingUri, forEach, localExecutor, type PruneSpec, type RunExecutor } from "./executor.ts";

export interface TuneOptions {
  configFile: string;
  /** `--set` overrides applied under every trial's parameters. */
  overrides: string[];
  space: SearchSpace;
  sampler: "tpe" | "random" | "grid";
  /** TPE: random trials before the model-based proposals start (default 10). */
  startup?: number;
  /** Trials at most, and wall-clock minutes at most (a trial running at the limit finishes). */
  budget: { trials: number; minutes: number };
  /** The sampler's seed: the same seed, space and budget propose the same trials. */
  seed: number;
  /** The seeds each trial trains and validates on: validation seeds, never the ones a report quotes. */
  seeds: number[];
  /** The validation metric to optimise (default: the config's early-stopping metric, else ndcg@<first k>). */
  metric?: string;
  /** Median-rule pruning of trials from their validation curves (models trained in epochs, with early stopping). */
  prune: boolean;
  outDir: string;
  /** Where trials run (default: here, one after another). */
  executor?: RunExecutor;
  /** Trials proposed and run at once on a queue (default 1: then a queued tuning proposes what a local one does). */
  parallel?: number;
}

export interface TrialRecord {
  trial: number;
  params: Params;
  /** The validation metric over the trial's seeds (mean); NaN for a failed trial. */
  value: number;
  status: "finished" | "pruned" | "failed";
  error?: string;
  seconds: number;
  dir: string;
}

export interface TuneResult {
  metric: string;
  trials: TrialRecord[];
  best: TrialRecord | null;
  /** The best trial's full config, written as YAML: what `pnpm exp` runs on the reported seeds. */
  bestConfig: string | null;
  tracking: { uri: string; runId: string | undefined } | null;
}

/**
 * Tunes a config's hyperparameters on its validation part: each trial is the config with the sampler's values
 * set (`--set` paths), trained and scored by `pnpm exp`'s own runner on the validation seeds; the test part's
 * figures are computed (the runner always evaluates) but never read here. Trials are MLflow runs nested under one
 * tuning run, which carries the best trial's parameters.
 */
export async function runTuning(o: TuneOptions): Promise<TuneResult> {
  const base = loadConfig(o.configFile, [...o.overrides, `experiment.seeds=[${o.seeds.join(",")}]`]).config;
  if (!("valid" in base.split) || !(base.split.valid > 0)) {
    throw new UserError(`${o.configFile}: its ${base.split.kind} split has no validation part, and trials are scored on validation only`, "add one, e.g. --set split.valid=0.1 (random split: also lower split.train), or tune a config whose split holds one");
  }
  const metric = o.metric ?? watchedMetric(base);
  const sign = lowerIsBetter(metric) ? -1 : 1;
  const rng = new Rng(o.seed, "tune");
  const sampler: Sampler = o.sampler === "grid" ? new GridSampler(o.space) : o.sampler === "random" ? new RandomSampler(o.space, rng) : new TpeSampler(o.space, rng, o.startup === undefined ? {} : { startup: o.startup });
  // Never before the trial has run its early-stopping patience: the config's own word on how long a plateau may last
  // (BPR's validation NDCG sits at popularity's level for several epochs before it climbs).
  const patience = base.training.earlyStopping?.patience ?? 0;
  mkdirSync(o.outDir, { recursive: true });

  const rec = base.tracking.enabled ? openRecorder(base.tracking.uri ?? process.env.MLFLOW_TRACKING_URI) : null;
  const experiment = base.tracking.experiment ?? base.experiment.name;
  const parent = rec ? await rec.startRun(experiment, `${base.experiment.name}-tune`, [
    { key: "mle.tune", value: "true" }, { key: "mle.configFile", value: o.configFile }, { key: "mlflow.source.name", value: `pnpm tune ${o.configFile}` },
  ]) : undefined;
  if (rec && parent) {
    await rec.log(parent, { params: [
      { key: "tune.sampler", value: o.sampler }, { key: "tune.seed", value: String(o.seed) }, { key: "tune.metric", value: metric },
      { key: "tune.seeds", value: o.seeds.join(",") }, { key: "tune.budget", value: JSON.stringify(o.budget) }, { key: "tune.space", value: JSON.stringify(o.space).slice(0, 6000) },
      { key: "tune.prune", value: String(o.prune) },
    ] });
  }
  const trials: TrialRecord[] = [];
  const scored: ScoredTrial[] = [];
  const history: number[][] = [];
  const executor = o.executor ?? localExecutor;
  // Trials proposed together run together (a queue's workers); each batch sees every earlier batch's scores.
  const batch = executor.parallel ? Math.max(1, o.parallel ?? 1) : 1;
  const started = performance.now();
  try {
    while (trials.length < o.budget.trials && (performance.now() - started) / 60_000 < o.budget.minutes) {
      const proposals: { n: number; params: Params }[] = [];
      while (proposals.length < Math.min(batch, o.budget.trials - trials.length)) {
        const params = sampler.suggest(scored);
        if (!params) break; // the grid is done
        proposals.push({ n: trials.length + proposals.length + 1, params });
      }
      if (!proposals.length) break;
      const prune: PruneSpec | undefined = o.prune ? { warmupTrials: 5, warmupEpochs: Math.max(3, patience), history: history.map((c) => [...c]) } : undefined;
      const done = await forEach(executor, proposals, async ({ n, params }) => {
        const dir = join(o.outDir, `trial-${String(n).padStart(3, "0")}`);
        log(`trial ${n}: ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(", ")}`);
        const t = performance.now();
        const record: TrialRecord = { trial: n, params, value: NaN, status: "failed", seconds: 0, dir };
        const overrides = [...o.overrides, `experiment.seeds=[${o.seeds.join(",")}]`, ...assignments(params)];
        // A bad value (a path the config does not have, a value out of its range) is the space's fault: stop at once.
        loadConfig(o.configFile, overrides);
        const tags: KeyValue[] = parent?.id ? [{ key: "mlflow.parentRunId", value: parent.id }, { key: "mle.tuneTrial", value: String(n) }] : [];
        let curve: number[] = [];
        try {
          const run = await executor.run({ label: `trial ${n} of ${base.experiment.name} (tune)`, configFile: o.configFile, overrides, outDir: dir, tags, prune, servingIndex: false, trackingUri: defaultTrackingUri() });
          const v = run.results.validMetrics?.[metric]?.mean;
          if (v === undefined || !Number.isFinite(v)) throw new UserError(`the validation part gave no ${metric} (computed: ${Object.keys(run.results.validMetrics ?? {}).join(", ") || "none"})`);
          record.value = v;
          record.status = run.pruned ? "pruned" : "finished";
          curve = run.curve.map((x) => sign * x).filter(Number.isFinite);
        } catch (e) {
          if (e instanceof ConfigError || !(e instanceof UserError)) throw e;
          record.error = e.message;
          log(`trial ${n} failed: ${e.message}`);
        }
        record.seconds = (performance.now() - t) / 1000;
        return { record, curve };
      });
      for (const { record, curve } of done) {
        trials.push(record);
        if (curve.length) history.push(curve);
        // The sampler learns from pruned trials too (their best value so far); only finished ones can be chosen.
        scored.push({ params: record.params, score: sign * record.value });
        // A failed trial has no score: it leaves a gap in the history rather than a made-up value.
        if (rec && parent && Number.isFinite(record.value)) await rec.log(parent, { metrics: [{ key: mlflowKey(`valid_${metric}_by_trial`), value: record.value, step: record.trial, timestamp: Date.now() }] });
      }
      writeFileSync(join(o.outDir, "trials.json"), `${JSON.stringify({ metric, sampler: o.sampler, ...(o.sampler === "tpe" ? { startup: o.startup ?? 10 } : {}), seed: o.seed, seeds: o.seeds, space: o.space, trials }, null, 2)}\n`);
    }
    const finished = trials.filter((t) => t.status === "finished");
    const best = finished.length ? finished.reduce((a, b) => (sign * b.value > sign * a.value ? b : a)) : null;
    let bestConfig: string | null = null;
    if (best) {
      // The config with the best values, its own seeds back (the trials ran on the validation seeds).
      bestConfig = join(o.outDir, "best.yaml");
      const chosen = loadConfig(o.configFile, [...o.overrides, ...assignments(best.params)]).config;
      writeFileSync(bestConfig, `# pnpm tune ${o.configFile}: trial ${best.trial} of ${trials.length} (${o.sampler}, sampler seed ${o.seed}), valid ${metric} ${best.value.toFixed(4)} on seeds ${o.seeds.join(",")}\n${stringify(chosen)}`);
    }
    const points = trials.filter((t) => Number.isFinite(t.value)).flatMap((t) => Object.entries(t.params).map(([parameter, value]) => ({ trial: t.trial, parameter, value: typeof value === "boolean" ? String(value) : value, score: t.value, status: t.status })));
    const logScale = Object.fromEntries(Object.entries(o.space).map(([k, p]) => [k, "log" in p && p.log]));
    writeFileSync(join(o.outDir, "trials.svg"), await renderSvg(trialsSpec(metric, points, logScale)));
    if (rec && parent) {
      await rec.log(parent, {
        params: best ? Object.entries(best.params).map(([key, value]) => ({ key: `best.${key}`, value: String(value) })) : [],
        metrics: best ? [{ key: mlflowKey(`best_valid_${metric}`), value: best.value, step: 0, timestamp: Date.now() }] : [],
        tags: [{ key: "mle.tuneTrials", value: String(trials.length) }, { key: "mle.tuneBestTrial", value: String(best?.trial ?? "none") }],
      });
      for (const f of ["trials.json", "trials.svg", ...(bestConfig ? ["best.yaml"] : [])]) await rec.artifact(parent, f, join(o.outDir, f));
      await rec.end(parent, "FINISHED");
    }
    return { metric, trials, best, bestConfig, tracking: rec && parent ? { uri: rec.uri, runId: parent.id } : null };
  } catch (e) {
    if (rec && parent) await rec.end(parent, "FAILED").catch(() => undefined);
    throw e;
  }
}

/** A trial's values as `--set` assignments (JSON is valid YAML: strings quoted, numbers exact). */
function assignments(params: Params): string[] {
  return Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}
