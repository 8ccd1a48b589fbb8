// Child task: export one seeded ML-100k split (Microsoft Recommenders protocol) to files, then
// evaluate popularity and EASE on exactly those files with our library; prints one JSON line.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng, setQuiet } from "@mle/core";
import { loadDataset, makeSplit, preprocess, readRatings, splitSchema } from "@mle/data";
import { evaluateRanking } from "@mle/metrics";
import { fitModel, type TrainSet } from "@mle/models";

setQuiet(true);
const [mirror, outDir, lambda] = process.argv.slice(2);
const { dataset } = await loadDataset("ml-100k", { mirror });
const x = preprocess(dataset, { feedback: { kind: "implicit", minRating: 0 }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
const split = makeSplit(x, splitSchema.parse({ kind: "random", train: 0.75, valid: 0, test: 0.25 }), 1);
mkdirSync(outDir, { recursive: true });
const write = (file: string, rows: Uint32Array) =>
  writeFileSync(join(outDir, file), [...rows].map((r) => `${dataset.userIds[x.userOf[x.user[r]]]}\t${dataset.itemIds[x.itemOf[x.item[r]]]}\t1\t0\n`).join(""));
write("train.tsv", split.train);
write("test.tsv", split.test.target);

// Our side reads the same files back: items are those of the training file (as Cornac's exclude_unknowns).
const train = await readRatings(join(outDir, "train.tsv"), "udata");
const test = await readRatings(join(outDir, "test.tsv"), "udata");
const users = new Map<number, number>();
const items = new Map<number, number>();
for (let i = 0; i < train.rows; i++) {
  if (!users.has(train.user[i])) users.set(train.user[i], users.size);
  if (!items.has(train.movie[i])) items.set(train.movie[i], items.size);
}
const trainSet: TrainSet = {
  nUsers: users.size, nItems: items.size,
  user: Int32Array.from(train.user, (u) => users.get(u)!), item: Int32Array.from(train.movie, (m) => items.get(m)!), rating: new Float32Array(train.rows).fill(1),
};
const byUser = (user: Int32Array, item: Int32Array, keep: (i: number) => boolean) => {
  const lists = Array.from({ length: users.size }, () => [] as number[]);
  for (let i = 0; i < user.length; i++) if (keep(i)) lists[user[i]].push(item[i]);
  return lists;
};
const history = byUser(trainSet.user, trainSet.item, () => true);
const tu = Int32Array.from(test.user, (u) => users.get(u) ?? -1);
const ti = Int32Array.from(test.movie, (m) => items.get(m) ?? -1);
const targets = byUser(tu, ti, (i) => tu[i] >= 0 && ti[i] >= 0);
const evalUsers = [...targets.keys()].filter((u) => targets[u].length > 0);
const csr = (lists: number[][]) => {
  const offsets = new Uint32Array(evalUsers.length + 1);
  evalUsers.forEach((u, k) => (offsets[k + 1] = offsets[k] + lists[u].length));
  return { offsets, items: Int32Array.from(evalUsers.flatMap((u) => lists[u])) };
};
const h = csr(history);
const t = csr(targets);
const itemTrainUsers = new Uint32Array(items.size);
history.forEach((l) => new Set(l).forEach((i) => itemTrainUsers[i]++));
const task = {
  nItems: items.size, users: Int32Array.from(evalUsers),
  historyOffsets: h.offsets, historyItems: h.items, historyRatings: new Float32Array(h.items.length).fill(1),
  targetOffsets: t.offsets, targetItems: t.items, targetRatings: new Float32Array(t.items.length).fill(1),
  itemTrainUsers, nTrainUsers: users.size,
};
const out: Record<string, unknown> = { trainRows: train.rows, testRows: test.rows, items: items.size };
for (const family of ["popularity", "ease"] as const) {
  const start = performance.now();
  const model = await fitModel(family === "ease" ? { family, lambda: Number(lambda) } : { family }, trainSet, new Rng(1));
  const r = evaluateRanking(model, task, { k: [10] });
  const mean = (k: string) => r.perUser[k].reduce((a, b) => a + b, 0) / r.users.length;
  out[family] = { "recall@10": mean("recall@10"), "ndcg@10": mean("ndcg@10"), mrr: mean("mrr"), seconds: (performance.now() - start) / 1000, users: r.users.length };
}
console.log(JSON.stringify(out));
