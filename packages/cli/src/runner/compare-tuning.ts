import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { UserError, log, sha256, stableStringify } from "@mle/core";
import type { TunedSummary } from "@mle/report";
import { loadComparison, type Comparison, type ComparisonTuning } from "../config/experiment-file.ts";
import { loadConfig } from "../config/load.ts";
import type { RunExecutor } from "./executor.ts";
import { keepTuning, keptTuningDir, readKeptTuning } from "./kept-runs.ts";
import { runTuning } from "./tune.ts";
import { hasSpaceEntry, readSpace } from "./tune-space.ts";

/** A config's chosen values, as `--set` assignments and as the report's summary. */
export interface ChosenValues {
  assignments: string[];
  summary: TunedSummary;
}

/**
 * `pnpm tune` for one config of a comparison (when the space file has an entry for it): the trials under
 * <runs>/<comparison>/tune/<config>/, its record under <reports>/<comparison>/tuning/<config>/; the best values come
 * back as `--set` assignments. With `reuse`, a finished tuning with the same config, space and settings (in either
 * place) is read back instead of rerun; with `keptOnly`, only read back (null when there is none).
 */
export async function tuneForComparison(c: Comparison, cfgFile: string, own: string[], o: { runsDir: string; reportsDir: string; reuse: boolean; executor: RunExecutor; keptOnly?: boolean }): Promise<ChosenValues | undefined | null> {
  const t = c.tune!;
  const name = spaceEntryName(cfgFile);
  if (!hasSpaceEntry(t.space, name)) return undefined;
  const space = readSpace(t.space, name);
  const outDir = join(o.runsDir, c.name, "tune", name);
  const trialSet = [...c.set, ...own, ...t.set, ...sameTrainingAsReported(c, cfgFile, own, t)];
  const key = sha256(stableStringify({ config: loadConfig(cfgFile, trialSet).config, space, t, metric: c.primary }));
  const keptDir = keptTuningDir(o.reportsDir, c.name, name);
  const saved = o.reuse ? readKeptTuning([outDir, keptDir], key) : undefined;
  let summary: TunedSummary;
  if (!saved && o.keptOnly) return null; // `--only` leaves this config out: nothing kept, and it may not tune
  if (saved) {
    summary = saved.summary;
    log(`${name}: reusing its tuning (${saved.from})`);
  } else {
    const r = await runTuning({ configFile: cfgFile, overrides: trialSet, space, sampler: t.sampler, startup: t.startup, budget: { trials: t.budget, minutes: Infinity }, seed: t.seed, seeds: t.seeds, metric: c.primary, prune: t.prune, outDir, executor: o.executor });
    if (!r.best) throw new UserError(`${cfgFile}: no tuning trial finished (${r.trials.map((x) => x.status).join(", ")}); see ${outDir}/trials.json`);
    summary = { params: r.best.params, validValue: r.best.value, metric: r.metric, trials: r.trials.length, pruned: r.trials.filter((x) => x.status === "pruned").length, failed: r.trials.filter((x) => x.status === "failed").length, bestTrial: r.best.trial };
    writeFileSync(join(outDir, "chosen.json"), `${JSON.stringify({ key, summary }, null, 2)}\n`);
  }
  if (saved?.from !== join(keptDir, "chosen.json")) keepTuning(keptDir, key, summary, outDir);
  return { assignments: assignmentsOf(summary), summary };
}

/** The experiment file named by `tunedIn`: it must tune, and its validation seeds must not be this comparison's. */
export function tuningSource(c: Comparison): Comparison & { tune: ComparisonTuning } {
  const source = loadComparison(c.tunedIn!);
  if (!source.tune) throw new UserError(`tunedIn: ${c.tunedIn} has no tune: block, so it chose no values`);
  if (source.tune.seeds.some((s) => c.seeds.includes(s))) throw new UserError(`tunedIn: ${c.tunedIn} tuned on seed(s) ${source.tune.seeds.join(", ")}, which this comparison reports`, "validation seeds must differ from the comparison's seeds");
  return source as Comparison & { tune: ComparisonTuning };
}

/**
 * The values `source`'s tuning chose for this config (as `--set` assignments), or undefined when it has nothing to
 * tune; when `source` has not tuned it yet: an error, or null where it is not `required` (a config `--only` leaves out).
 */
export function chosenIn(source: Comparison & { tune: ComparisonTuning }, cfgFile: string, reportsDir: string, o: { required: boolean } = { required: true }): ChosenValues | undefined | null {
  const name = spaceEntryName(cfgFile);
  if (!hasSpaceEntry(source.tune.space, name)) return undefined;
  const file = join(keptTuningDir(reportsDir, source.name, name), "chosen.json");
  if (!existsSync(file)) {
    if (!o.required) return null;
    throw new UserError(`${cfgFile}: ${source.name} has not tuned it (no ${file})`, `run pnpm compare on ${source.name}'s experiment file first (with --reuse it tunes only what is missing)`);
  }
  const { summary } = JSON.parse(readFileSync(file, "utf8")) as { summary: TunedSummary };
  return { assignments: assignmentsOf(summary), summary };
}

/** A config's key in a space file and in the tuning folders: its file name without .yaml. */
const spaceEntryName = (cfgFile: string) => basename(cfgFile).replace(/\.ya?ml$/, "");

const assignmentsOf = (s: TunedSummary) => Object.entries(s.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);

/**
 * A trial must train the way the reported run will. When `tune.set` gives the trials a validation part that the
 * reported runs lack, the trials would early-stop on it (and keep their best epoch) while the reported run trains
 * every epoch of `training.epochs`: the epochs chosen would not be the epochs scored. Such trials train with
 * early stopping off (and so without pruning, which reads the same validation curve).
 */
function sameTrainingAsReported(c: Comparison, cfgFile: string, own: string[], t: ComparisonTuning): string[] {
  if (!t.set.length) return [];
  const reported = loadConfig(cfgFile, [...c.set, ...own]).config;
  const trial = loadConfig(cfgFile, [...c.set, ...own, ...t.set]).config;
  const watches = (x: typeof reported) => "valid" in x.split && x.split.valid > 0 && (x.training.earlyStopping?.patience ?? 0) > 0;
  return !watches(reported) && watches(trial) ? ["training.earlyStopping.patience=0"] : [];
}
