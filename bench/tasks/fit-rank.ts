// Child task: fits our runs (autoencoders unless a run's `model` names its family) on exported files and prints one JSON line — per run the fit time,
// time per epoch and the asked metrics (means over the evaluated users). With `foldin`, the evaluated users
// are held out of training (strong generalisation); without `test`, only time and memory are measured.
// With `folds` (ML-100k's folder), each run trains on u1..u5.base with the file's ratings and prints per-fold RMSE.
import { Rng, setQuiet } from "@mle/core";
import { evaluateRanking } from "@mle/metrics";
import { fitModel, initBackend, modelConfigSchema, type TrainingOptions } from "@mle/models";
import { rmseOverFolds } from "../lib/folds.ts";
import { loadTsvTask } from "../lib/tsv-task.ts";

setQuiet(true);
interface Run {
  name: string;
  /** A `model:` section; without `family`, an autoencoder's. */
  model: Record<string, unknown>;
  training: TrainingOptions;
  /** The run's seed (default 1). */
  seed?: number;
}
const spec = JSON.parse(process.argv[2]) as { train: string; test: string | null; foldin?: string; k: number[]; metrics: string[]; runs: Run[] } | { folds: string; runs: Run[] };
const backend = await initBackend();
const config = (run: Run) => modelConfigSchema.parse({ family: "autoencoder", ...run.model }); // the config defaults, as `pnpm exp` fills them
if ("folds" in spec) {
  const out: Record<string, unknown> = { backend };
  for (const run of spec.runs) {
    out[run.name] = await rmseOverFolds(spec.folds, run.training.epochs, async (train, k) => (await fitModel(train, config(run), { rng: new Rng(k), training: run.training })).model);
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}
const { train, task } = await loadTsvTask(spec.train, spec.test, true, spec.foldin);
const out: Record<string, unknown> = { shape: { users: train.nUsers, items: train.nItems, interactions: train.user.length, evaluated: task.users.length }, backend };
for (const run of spec.runs) {
  const t = performance.now();
  const { model } = await fitModel(train, config(run), { rng: new Rng(run.seed ?? 1), training: run.training });
  const seconds = (performance.now() - t) / 1000;
  const r: Record<string, number> = { seconds, secondsPerEpoch: seconds / run.training.epochs };
  if (task.users.length) {
    const e = await evaluateRanking(model, task, { k: spec.k });
    for (const m of spec.metrics) r[m] = e.perUser[m].reduce((a, b) => a + b, 0) / e.users.length;
  }
  out[run.name] = r;
}
out.maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(out));
