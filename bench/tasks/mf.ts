// Child task: biased MF on the official ML-100k folds (RMSE), iALS and BPR on the exported split (NDCG@10).
import { join } from "node:path";
import { Rng, setQuiet } from "@mle/core";
import { readRatings } from "@mle/data";
import { evaluateRanking, evaluateRatings, type RankingTask } from "@mle/metrics";
import { fitModel, type TrainSet } from "@mle/models";

setQuiet(true);
const [mirror, exported] = process.argv.slice(2);

/** Two rating files → a shared dense space, a train set and a task whose history is the train rows. */
async function load(trainFile: string, testFile: string, binary: boolean) {
  const tr = await readRatings(trainFile, "udata");
  const te = await readRatings(testFile, "udata");
  const users = new Map<number, number>();
  const items = new Map<number, number>();
  for (let k = 0; k < tr.rows; k++) {
    if (!users.has(tr.user[k])) users.set(tr.user[k], users.size);
    if (!items.has(tr.movie[k])) items.set(tr.movie[k], items.size);
  }
  const train: TrainSet = { nUsers: users.size, nItems: items.size, user: Int32Array.from(tr.user, (u) => users.get(u)!), item: Int32Array.from(tr.movie, (m) => items.get(m)!), rating: binary ? new Float32Array(tr.rows).fill(1) : tr.rating };
  const hist = Array.from({ length: users.size }, () => [] as [number, number][]);
  for (let k = 0; k < tr.rows; k++) hist[train.user[k]].push([train.item[k], train.rating[k]]);
  const targ = Array.from({ length: users.size }, () => [] as [number, number][]);
  for (let k = 0; k < te.rows; k++) {
    const u = users.get(te.user[k]);
    const i = items.get(te.movie[k]);
    if (u !== undefined && i !== undefined) targ[u].push([i, te.rating[k]]);
  }
  const evalUsers = [...targ.keys()].filter((u) => targ[u].length);
  const csr = (lists: [number, number][][]) => {
    const offsets = new Uint32Array(evalUsers.length + 1);
    evalUsers.forEach((u, k) => (offsets[k + 1] = offsets[k] + lists[u].length));
    const flat = evalUsers.flatMap((u) => lists[u]);
    return { offsets, items: Int32Array.from(flat, (p) => p[0]), ratings: Float32Array.from(flat, (p) => p[1]) };
  };
  const h = csr(hist);
  const t = csr(targ);
  const task: RankingTask = {
    nItems: items.size, users: Int32Array.from(evalUsers), historyOffsets: h.offsets, historyItems: h.items, historyRatings: h.ratings,
    targetOffsets: t.offsets, targetItems: t.items, targetRatings: t.ratings, itemTrainUsers: new Uint32Array(items.size), nTrainUsers: users.size,
  };
  return { train, task };
}

const folds = [];
for (let k = 1; k <= 5; k++) {
  const { train, task } = await load(join(mirror, "ml-100k", `u${k}.base`), join(mirror, "ml-100k", `u${k}.test`), false);
  const t = performance.now();
  const m = await fitModel({ family: "mf", variant: "biased", factors: 100, l2: 0.02, foldInL2: 0.1, unobservedWeight: 0.1, initStd: 0.1 }, train, new Rng(k), { epochs: 20, learningRate: 0.005 });
  const seconds = (performance.now() - t) / 1000;
  folds.push({ fold: k, rmse: evaluateRatings(m, task)!.rmse, seconds });
}
const { train, task } = await load(join(exported, "train.tsv"), join(exported, "test.tsv"), true);
const out: Record<string, unknown> = { folds };
for (const [name, cfg, training] of [
  ["ials", { family: "mf", variant: "ials", factors: 64, l2: 0.03, unobservedWeight: 0.1, initStd: 0.1 }, { epochs: 15, learningRate: 0.01 }],
  ["bpr", { family: "mf", variant: "bpr", factors: 200, l2: 0.001, unobservedWeight: 0.1, initStd: 0.01 }, { epochs: 100, learningRate: 0.01 }],
] as const) {
  const t = performance.now();
  const m = await fitModel(cfg, train, new Rng(1), training);
  const seconds = (performance.now() - t) / 1000;
  const r = evaluateRanking(m, task, { k: [10] });
  out[name] = { seconds, "ndcg@10": r.perUser["ndcg@10"].reduce((a, b) => a + b, 0) / r.users.length };
}
console.log(JSON.stringify(out));
