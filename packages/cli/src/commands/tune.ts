import { basename, join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { UserError, setQuiet } from "@mle/core";
import { table } from "../format.ts";
import { runTuning } from "../runner/tune.ts";
import { withExecutor, withQueueOptions, type QueueFlags } from "./queue-options.ts";
import { readSpace } from "../runner/tune-space.ts";

/** `20` trials, or a time: `30m`, `2h`. */
function parseBudget(v: string): { trials?: number; minutes?: number } {
  const m = /^(\d+(?:\.\d+)?)(m|h)?$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError("expected a number of trials (20) or a time (30m, 2h)");
  return m[2] ? { minutes: Number(m[1]) * (m[2] === "h" ? 60 : 1) } : { trials: Math.ceil(Number(m[1])) };
}

/** `pnpm tune`: hyperparameters chosen on validation data, every trial an MLflow run under one tuning run. */
export function tuneCommand(): Command {
  return withQueueOptions(new Command("tune")
    .description("tune a config's hyperparameters on its validation part (TPE, random or grid search, median-rule pruning); writes the best config as YAML")
    .argument("<config>", "experiment YAML, e.g. configs/ml100k/bpr.yaml")
    .requiredOption("--space <file|yaml>", "the search space: a YAML file (configs/**/space.yaml: an entry per config name) or inline, {path: {float|int: [lo, hi], log?: true} | {choice: [...]}}")
    .option("--budget <n|time>", "trials (20) or wall-clock time (30m, 2h); grid: every point unless fewer are asked", parseBudget)
    .addOption(new Option("--sampler <name>", "how trials are proposed").choices(["tpe", "random", "grid"]).default("tpe"))
    .option("--startup <n>", "tpe: random trials before the model-based ones", (v) => Number(v), 10)
    .option("--metric <name>", "validation metric to optimise (default: the config's early-stopping metric, else ndcg@<first k>)")
    .option("--seeds <list>", "validation seeds each trial trains on (never the seeds a report quotes)", "101")
    .option("--seed <n>", "the sampler's seed", (v) => Number(v), 1)
    .option("--no-prune", "run every trial to its end (default: stop trials below the median of earlier ones at the same epoch)")
    .option("--set <key=value>", "override a config key under every trial (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--out <dir>", "where trials go (default runs/tune/<experiment>/<time>)")
    .option("--parallel <n>", "with --queue: trials proposed and run at once (default 1, which proposes what a local tuning does)", (v) => Number(v), 1)
    .option("-q, --quiet", "no progress output"))
    .action(async (file: string, o: QueueFlags & { parallel: number; space: string; budget?: { trials?: number; minutes?: number }; sampler: "tpe" | "random" | "grid"; startup: number; metric?: string; seeds: string; seed: number; prune: boolean; set: string[]; out?: string; quiet?: boolean }) => {
      if (o.quiet) setQuiet(true);
      const space = readSpace(o.space, basename(file).replace(/\.ya?ml$/, ""));
      const seeds = o.seeds.split(",").map((s) => Number(s.trim()));
      if (seeds.some((s) => !Number.isInteger(s))) throw new UserError(`--seeds: expected whole numbers separated by commas, found "${o.seeds}"`);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
      const outDirFor = (submission?: string) => o.out ?? join("runs", "tune", file.replace(/^.*\//, "").replace(/\.ya?ml$/, ""), submission ?? stamp);
      const budget = { trials: o.budget?.trials ?? (o.budget?.minutes ? Infinity : o.sampler === "grid" ? Infinity : 20), minutes: o.budget?.minutes ?? Infinity };
      if (!Number.isInteger(o.parallel) || o.parallel < 1) throw new UserError(`--parallel: expected a positive whole number, found ${o.parallel}`);
      await withExecutor("tune", o, async (executor) => {
        const outDir = outDirFor(executor.submissionId);
        const r = await runTuning({ configFile: file, overrides: o.set, space, sampler: o.sampler, startup: o.startup, budget, seed: o.seed, seeds, metric: o.metric, prune: o.prune, outDir, executor, parallel: o.parallel });
        const keys = Object.keys(space);
        process.stdout.write(`${table(["trial", ...keys, `valid ${r.metric}`, "status", "s"], r.trials.map((t) => [String(t.trial), ...keys.map((k) => fmt(t.params[k])), Number.isFinite(t.value) ? t.value.toFixed(4) : "—", t.status + (t === r.best ? " (best)" : ""), t.seconds.toFixed(1)]), ["r", ...keys.map(() => "r" as const), "r", "l", "r"])}\n`);
        if (!r.best) throw new UserError(`no trial finished (${r.trials.length} run: ${r.trials.map((t) => t.status).join(", ")}); see ${outDir}/trials.json`);
        process.stdout.write(`\nbest: trial ${r.best.trial}, valid ${r.metric} ${r.best.value.toFixed(4)} on seeds ${seeds.join(",")}: ${keys.map((k) => `${k}=${fmt(r.best!.params[k])}`).join(", ")}\n`);
        process.stdout.write(`wrote ${r.bestConfig} (run it on the reported seeds: pnpm exp ${r.bestConfig}) and ${outDir}/trials.json\n`);
        if (r.tracking) process.stdout.write(`tracked: tuning run ${r.tracking.runId ?? "(local store)"} at ${r.tracking.uri}, one nested run per trial\n`);
      });
    });
}

function fmt(v: unknown): string {
  return typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(4) : String(v);
}
