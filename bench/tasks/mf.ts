// Child task: fits our MF runs on exported files and prints one JSON line — per run the fit time, time
// per epoch, and NDCG@10 (implicit files) or per-fold RMSE (ML-100k's official folds u1..u5).
import { Rng, setQuiet } from "@mle/core";
import { evaluateRanking } from "@mle/metrics";
import { fitModel, modelConfigSchema, type ModelConfig, type TrainingOptions } from "@mle/models";
import { rmseOverFolds } from "../lib/folds.ts";
import { loadTsvTask } from "../lib/tsv-task.ts";

setQuiet(true);
interface Run {
  name: string;
  /** An MF `model:` section without `family` (e.g. { variant: "bpr", factors: 64 }). */
  model: Record<string, unknown> & { variant: "biased" | "bpr" | "ials" };
  training: TrainingOptions;
}
// `binary` (default true): every training row is a positive with rating 1; false keeps the file's ratings (biased MF).
type Spec = { folds: string; runs: Run[] } | { train: string; test: string | null; binary?: boolean; runs: Run[] };
const spec = JSON.parse(process.argv[2]) as Spec;
const config = (m: Run["model"]): ModelConfig => modelConfigSchema.parse({ family: "mf", ...m }); // the config defaults, as `pnpm exp` fills them

const out: Record<string, unknown> = {};
if ("folds" in spec) {
  for (const run of spec.runs) {
    out[run.name] = await rmseOverFolds(spec.folds, run.training.epochs, async (train, k) => (await fitModel(train, config(run.model), { rng: new Rng(k), training: run.training })).model);
  }
} else {
  const { train, task } = await loadTsvTask(spec.train, spec.test, spec.binary ?? true);
  out.shape = { users: train.nUsers, items: train.nItems, interactions: train.user.length };
  for (const run of spec.runs) {
    const t = performance.now();
    const { model: m } = await fitModel(train, config(run.model), { rng: new Rng(1), training: run.training });
    const seconds = (performance.now() - t) / 1000;
    const r: Record<string, number> = { seconds, secondsPerEpoch: seconds / run.training.epochs };
    if (task.users.length) {
      const e = await evaluateRanking(m, task, { k: [10] });
      r["ndcg@10"] = e.perUser["ndcg@10"].reduce((a, b) => a + b, 0) / e.users.length;
    }
    out[run.name] = r;
  }
}
out.maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(out));
