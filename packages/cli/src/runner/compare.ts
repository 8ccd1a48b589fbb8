import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { UserError, log, readColumnar } from "@mle/core";
import { holmAdjust, pairedTTest, wilcoxonSignedRank } from "@mle/metrics";
import { describeModel } from "@mle/models";
import { writeComparisonReport, type PairedSummary, type TunedSummary } from "@mle/report";
import { configEntry, loadComparison, type Comparison } from "../config/experiment-file.ts";
import { loadConfig } from "../config/load.ts";
import type { Results } from "./results.ts";
import { configHash, defaultTrackingUri, forEach, localExecutor, type RunExecutor } from "./executor.ts";
import { chosenIn, tuneForComparison, tuningSource } from "./compare-tuning.ts";
import { keepModel, keptModelFile, readKeptModel, type PerUser } from "./kept-runs.ts";

export interface ComparedModel {
  config: string;
  name: string;
  modelLine: string;
  results: Results;
  tracking: string | null;
  /** Per seed: evaluated users and their primary-metric values. */
  perUser: PerUser[];
  reused: boolean;
  /** How the config was tuned before it ran (an experiment file with `tune:`). */
  tuned?: TunedSummary;
}

export interface ComparisonOutput {
  comparison: Comparison;
  models: ComparedModel[];
  /** Null when `only` left configs out (the report needs every one). */
  reportFile: string | null;
  resultsFile: string | null;
  /** Configs `only` left out: not selected, and nothing kept to reuse. */
  leftOut: string[];
}

/** The main table's columns, in order, at the primary metric's cut-off (10 when it has none), where the runs have them. */
function columnsAt(primary: string): string[] {
  const k = /@(\d+)$/.exec(primary)?.[1] ?? "10";
  return ["recall", "recall_liang", "ndcg", "map", "mrr", "hit_rate", "coverage", "novelty"].map((m) => (m === "mrr" ? m : `${m}@${k}`));
}

/**
 * Runs (or, with `reuse`, reuses finished runs of) every config of an experiment file on its seeds,
 * then writes `reports/<name>.md` (table, paired tests against the best model and against EASE,
 * times, charts) and `reports/<name>/results.json` (what CI re-checks). Each finished model and tuning is also kept
 * under `reports/<name>/kept/` and `reports/<name>/tuning/` (kept-runs.ts), where `reuse` finds them first.
 * With `only` (config file names without .yaml, or experiment names), only those configs may tune and train; the
 * others are reused where kept and left out otherwise, and the report waits until no config is left out.
 */
export async function runComparison(file: string, o: { runsDir: string; reportsDir: string; reuse: boolean; executor?: RunExecutor; only?: string[] }): Promise<ComparisonOutput> {
  const c = loadComparison(file);
  const executor = o.executor ?? localExecutor;
  // Every config is checked with the comparison's overrides before any of them trains.
  const entries = c.configs.map(configEntry);
  const names = entries.map((e) => [basename(e.file, ".yaml"), loadConfig(e.file, [...c.set, ...e.set, `experiment.seeds=[${c.seeds.join(",")}]`]).config.experiment.name]);
  const unknown = (o.only ?? []).filter((n) => !names.some((ns) => ns.includes(n)));
  if (unknown.length) throw new UserError(`--only: ${unknown.join(", ")} ${unknown.length === 1 ? "is not a config" : "are not configs"} of ${file}`, `its configs: ${names.map(([f]) => f).join(", ")}`);
  const selected = (k: number) => !o.only || names[k].some((n) => o.only!.includes(n));
  // Values another comparison chose are all found before anything trains; a config `only` leaves out may lack them.
  const source = c.tunedIn ? tuningSource(c) : undefined;
  const chosen = new Map(source ? entries.map((e, k) => [e.file, chosenIn(source, e.file, o.reportsDir, { required: selected(k) })]) : []);
  // On a queue every config (its tuning, then its run) goes at once; here, one after another.
  const compared = await forEach(executor, entries.map((e, k) => ({ ...e, k })), async ({ file: cfgFile, set: own, k }): Promise<ComparedModel | null> => {
    const keptOnly = !selected(k);
    const tuned = c.tune ? await tuneForComparison(c, cfgFile, own, { ...o, reuse: o.reuse || keptOnly, executor, keptOnly }) : chosen.get(cfgFile);
    if (tuned === null) return null;
    const overrides = [...c.set, ...own, ...(tuned?.assignments ?? []), `experiment.seeds=[${c.seeds.join(",")}]`];
    const { config } = loadConfig(cfgFile, overrides);
    const outDir = join(o.runsDir, c.name, config.experiment.name);
    const hash = configHash(config);
    const keptFile = keptModelFile(o.reportsDir, c.name, config.experiment.name);
    const kept = o.reuse || keptOnly ? readKeptModel(keptFile, hash, c.primary) : undefined;
    if (!kept && keptOnly) return null;
    const saved = join(outDir, "results.json");
    let results: Results;
    let tracking: string | null = null;
    let perUser: PerUser[];
    let reused = true;
    if (kept) {
      ({ results, tracking, perUser } = kept);
      log(`${config.experiment.name}: reusing ${keptFile}`);
    } else {
      if (o.reuse && existsSync(saved) && (JSON.parse(readFileSync(saved, "utf8")) as Results).configHash === hash) {
        results = JSON.parse(readFileSync(saved, "utf8")) as Results;
        tracking = trackedRun(outDir);
        log(`${config.experiment.name}: reusing ${saved}`);
      } else {
        const run = await executor.run({ label: `${config.experiment.name} (compare ${c.name})`, configFile: cfgFile, overrides, outDir, trackingUri: defaultTrackingUri() });
        results = run.results;
        tracking = run.tracking ? citeRun(run.tracking) : null;
        reused = false;
      }
      perUser = readPerUser(outDir, results.seeds, c.primary);
      // Kept as soon as it finishes: a comparison stopped halfway keeps what it finished.
      keepModel(keptFile, results, tracking, c.primary, perUser);
    }
    return { config: cfgFile, name: config.experiment.name, modelLine: describeModel(config.model), results, tracking, perUser, reused, tuned: tuned?.summary };
  });
  const leftOut = names.filter((_, k) => !compared[k]).map(([f]) => f);
  const models = compared.filter((m): m is ComparedModel => m !== null);
  if (leftOut.length) {
    log(`${c.name}: ${models.length} of ${entries.length} configs done; left out by --only with nothing kept: ${leftOut.join(", ")}. The report is written once every config is done`);
    return { comparison: c, models, reportFile: null, resultsFile: null, leftOut };
  }
  mkdirSync(join(o.reportsDir, c.name), { recursive: true });
  const resultsFile = join(o.reportsDir, c.name, "results.json");
  writeFileSync(resultsFile, `${JSON.stringify(Object.fromEntries(models.map((m) => [m.name, { ...m.results, fitSeconds: undefined, evaluateSeconds: undefined }])), null, 2)}\n`);
  const p = c.primary;
  const best = [...models].sort((a, b) => b.results.metrics[p].mean - a.results.metrics[p].mean)[0];
  const ease = models.find((m) => m.results.model.startsWith("ease"));
  const ks = [...new Set(Object.keys(models[0].results.metrics).filter((k) => k.startsWith("recall@")).map((k) => Number(k.split("@")[1])))].sort((a, b) => a - b);
  // Each column is one family of tests (every model against the best; every model against EASE): Holm within it.
  const vsBest = withHolm(models.map((m) => (m === best ? null : paired(m, best))));
  const vsEase = withHolm(models.map((m) => (!ease || m === ease ? null : paired(m, ease))));
  const reportFile = await writeComparisonReport({
    tuning: c.tune ?? source?.tune ? { ...(c.tune ?? source!.tune!), from: source ? c.tunedIn : undefined } : undefined,
    name: c.name, description: c.description, discussion: c.discussion, seeds: c.seeds, overrides: c.set, primary: p, ks,
    columns: columnsAt(c.primary).filter((k) => models.every((m) => m.results.metrics[k])),
    runs: models.map((m, i) => ({
      name: m.name, config: m.config, modelLine: m.results.model, metrics: m.results.metrics, coldMetrics: m.results.coldMetrics, fitSeconds: m.results.fitSeconds ?? [],
      where: m.tracking ?? (m.reused ? "reused" : "not tracked"), backend: m.results.backend, configHash: m.results.configHash, manifests: m.results.split.manifests,
      iterative: m.results.training !== undefined,
      validCurves: m.results.training?.validCurves && m.results.training.watched === p ? m.results.training.validCurves : undefined,
      tuned: m.tuned,
      vsBest: m === best ? "best" : vsBest[i],
      vsEase: !ease ? undefined : m === ease ? "ease" : vsEase[i],
    })),
  }, o.reportsDir);
  return { comparison: c, models, reportFile, resultsFile, leftOut };
}

/** Per seed, the evaluated users and their values of `metric`, from the run's per-user.bin files. */
function readPerUser(outDir: string, seeds: number[], metric: string): PerUser[] {
  return seeds.map((seed) => {
    const perUserFile = join(outDir, `seed-${seed}`, "per-user.bin");
    if (!existsSync(perUserFile)) throw new UserError(`${perUserFile} is not here: the run finished on a worker that wrote it elsewhere`, "workers and the submitter need one runs folder (--runs on a shared file system, at the same path)");
    const { columns } = readColumnar(perUserFile);
    // Raw MovieLens user ids: a task index names a different person on another seed's split.
    return { users: columns.userIds as Int32Array, values: columns[metric] as Float32Array };
  });
}

/**
 * Paired over users: each user's metric averaged over the seeds in which both runs evaluated them, then one pair per
 * user. The seeds' per-user values are not independent samples of one user (the same person, the same model on
 * resampled splits), so pooling (seed, user) pairs would count each user up to five times and shrink the p-values.
 * Only meaningful when both used the same splits.
 */
function paired(a: ComparedModel, b: ComparedModel): PairedSummary | null {
  if (a.results.split.manifests.join() !== b.results.split.manifests.join()) return null;
  const sums = new Map<number, { a: number; b: number; n: number }>();
  a.perUser.forEach((pa, s) => {
    const pb = b.perUser[s];
    const at = new Map<number, number>();
    pb.users.forEach((u, i) => at.set(u, pb.values[i]));
    pa.users.forEach((u, i) => {
      const v = at.get(u);
      if (v === undefined) return;
      const acc = sums.get(u) ?? { a: 0, b: 0, n: 0 };
      acc.a += pa.values[i];
      acc.b += v;
      acc.n++;
      sums.set(u, acc);
    });
  });
  const x = [...sums.values()].map((v) => v.a / v.n);
  const y = [...sums.values()].map((v) => v.b / v.n);
  if (x.length < 2) return null;
  const t = pairedTTest(x, y);
  const w = wilcoxonSignedRank(x, y);
  return { meanDifference: t.meanDifference, tPValue: t.pValue, wilcoxonPValue: w.pValue, effectSize: t.effectSize, users: x.length, tPValueHolm: NaN, wilcoxonPValueHolm: NaN };
}

/** The p-values of one family of comparisons, Holm-adjusted across it (each test kind on its own). */
function withHolm(tests: (PairedSummary | null)[]): (PairedSummary | null)[] {
  const t = holmAdjust(tests.map((x) => x?.tPValue ?? NaN));
  const w = holmAdjust(tests.map((x) => x?.wilcoxonPValue ?? NaN));
  return tests.map((x, i) => (x ? { ...x, tPValueHolm: t[i], wilcoxonPValueHolm: w[i] } : null));
}

/** How a report cites a tracked run. */
function citeRun(t: { uri: string; parentRunId: string }): string {
  return `${t.uri} run ${t.parentRunId}`;
}

/** The run a reused runs folder was tracked as (its tracking.json), if it was. */
function trackedRun(outDir: string): string | null {
  const file = join(outDir, "tracking.json");
  return existsSync(file) ? citeRun(JSON.parse(readFileSync(file, "utf8")) as { uri: string; parentRunId: string }) : null;
}
