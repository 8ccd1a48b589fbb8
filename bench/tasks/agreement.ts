// Child task: export one seeded ML-100k split (Microsoft Recommenders protocol) to files, then
// evaluate popularity and EASE on exactly those files with our library; prints one JSON line.
import { join } from "node:path";
import { Rng, setQuiet } from "@mle/core";
import { evaluateRanking } from "@mle/metrics";
import { fitModel, trainingOptions } from "@mle/models";
import { exportRandomSplit } from "../lib/export-split.ts";
import { loadTsvTask } from "../lib/tsv-task.ts";

setQuiet(true);
const [mirror, outDir, lambda] = process.argv.slice(2);
await exportRandomSplit(mirror, "ml-100k", 0, outDir);

// Our side reads the same files back: items are those of the training file (as Cornac's exclude_unknowns).
const { train: trainSet, task } = await loadTsvTask(join(outDir, "train.tsv"), join(outDir, "test.tsv"), true);
const out: Record<string, unknown> = { trainRows: trainSet.user.length, testRows: task.targetItems.length, items: trainSet.nItems };
for (const family of ["popularity", "ease"] as const) {
  const start = performance.now();
  const { model } = await fitModel(trainSet, family === "ease" ? { family, lambda: Number(lambda) } : { family }, { rng: new Rng(1), training: trainingOptions({}) });
  const r = await evaluateRanking(model, task, { k: [10] });
  const mean = (k: string) => r.perUser[k].reduce((a, b) => a + b, 0) / r.users.length;
  out[family] = { "recall@10": mean("recall@10"), "ndcg@10": mean("ndcg@10"), mrr: mean("mrr"), seconds: (performance.now() - start) / 1000, users: r.users.length };
}
console.log(JSON.stringify(out));
