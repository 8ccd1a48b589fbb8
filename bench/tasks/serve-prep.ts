// Child task for `pnpm bench serve`: writes the two served models and measures their HNSW indexes against exact
// search. (1) iALS (d = 64) on all of ml-latest-small; (2) a synthetic ml-latest-sized iALS item space (86,537 items,
// d = 128: 300 taste clusters, popularity-scaled norms). Queries are fold-ins of 50-rating histories (real users'
// latest 50 for (1), three taste clusters for (2)), written to <dir>/<name>/histories.json for the load test.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng, isSparse, setQuiet, shaped, type History } from "@mle/core";
import { measureAnn } from "@mle/ann";
import { buildTrainSet, loadDataset, preprocess } from "@mle/data";
import { fitModel, initBackend, modelConfigSchema, restoreModel, saveModel } from "@mle/models";
import { buildServeIndex, openModel } from "@mle/serve";
import { report } from "../lib/child.ts";

setQuiet(true);
const { dir, mirror, queries } = JSON.parse(process.argv[2]) as { dir: string; mirror: string; queries: number };
await initBackend();
const { dataset } = await loadDataset("ml-latest-small", { mirror });
const provenance = { dataset: "ml-latest-small", datasetChecksum: dataset.checksum, splitHash: "all", seed: 1 };
const HISTORY = 50;

// (1) iALS on all of ml-latest-small.
const x = preprocess(dataset, { feedback: { kind: "implicit", minRating: 0 }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
const small = modelConfigSchema.parse({ family: "mf", variant: "ials", factors: 64, l2: 0.01 });
const trained = await fitModel(buildTrainSet(x, Uint32Array.from({ length: x.n }, (_, i) => i)), small, { rng: new Rng(1), training: { epochs: 10, learningRate: 0 } });
saveModel(join(dir, "ml-latest-small", "model"), trained, small, { epochs: 10 }, provenance, Int32Array.from(x.itemOf, (i) => dataset.itemIds[i]));
const byUser = new Map<number, { movieId: number; rating: number; timestamp: number }[]>();
for (let k = 0; k < dataset.nRatings; k++) {
  const u = dataset.ratings.user[k];
  byUser.set(u, [...(byUser.get(u) ?? []), { movieId: dataset.itemIds[dataset.ratings.item[k]], rating: dataset.ratings.rating[k], timestamp: dataset.ratings.timestamp[k] }]);
}
const realHistories = [...byUser.values()].filter((h) => h.length >= HISTORY).map((h) => h.sort((a, b) => a.timestamp - b.timestamp).slice(-HISTORY));

// (2) A synthetic ml-latest-sized item space with iALS's fold-in.
const [N, D, C] = [86_537, 128, 300];
const rng = new Rng(1, "synthetic-items");
const centres = Float32Array.from({ length: C * D }, () => rng.normal() / Math.sqrt(D));
const cluster = Int32Array.from({ length: N }, () => rng.int(C));
const V = new Float32Array(N * D);
for (let i = 0; i < N; i++) {
  const scale = 0.2 + 1.5 / Math.sqrt(1 + (i % 1000)); // a few popular items with long vectors, a long tail of short ones
  for (let f = 0; f < D; f++) V[i * D + f] = scale * (centres[cluster[i] * D + f] + (0.6 * rng.normal()) / Math.sqrt(D));
}
const big = modelConfigSchema.parse({ family: "mf", variant: "ials", factors: D, l2: 0.01 });
const bigState = { itemFactors: shaped(V, N, D), l2: 0.01, unobservedWeight: (small as { unobservedWeight?: number }).unobservedWeight ?? 1 };
const movieIds = Int32Array.from({ length: N }, (_, i) => 1_000_000 + i); // ids no release has: served as "movie <id>"
saveModel(join(dir, "synthetic", "model"), { model: restoreModel(bigState, big), state: bigState }, big, { epochs: 0 }, { ...provenance, splitHash: "synthetic" }, movieIds);
const members = Array.from({ length: C }, () => [] as number[]);
cluster.forEach((c, i) => members[c].push(i));
const synthHistories = Array.from({ length: queries }, () => {
  const tastes = [rng.int(C), rng.int(C), rng.int(C)];
  return Array.from({ length: HISTORY }, (_, k) => {
    const m = members[tastes[k % 3]];
    return { movieId: movieIds[m[rng.int(m.length)]], rating: 4 + rng.int(2), timestamp: k };
  });
});

// Fold in each history through the served model, then measure its index against exact search.
const out: Record<string, unknown> = {};
for (const [name, histories] of [["ml-latest-small", realHistories.slice(0, queries)], ["synthetic", synthHistories]] as const) {
  const served = await openModel(join(dir, name), { mirror, exactOnly: true });
  const r = served.recommender;
  const users = histories.map((h) => r.model.userVector(r.history(h).history as History)).filter((v) => !isSparse(v)) as Float32Array[];
  // As pnpm exp does with the test users: both graphs built and calibrated on half the histories, measured on the other half.
  const { index, calibration } = buildServeIndex(served.location.modelDir, r.model, users.filter((_, j) => j % 2 === 0))!;
  const m = measureAnn(index, r.model, users.filter((_, j) => j % 2 === 1), [10, 100]);
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, "histories.json"), JSON.stringify(histories));
  const t = performance.now();
  for (const h of histories.slice(0, 100)) r.recommend(r.history(h).history, { k: 10, exact: true });
  out[name] = { items: r.catalogue.size, dim: r.model.dim, buildSeconds: index.buildSeconds, graph: index.graph, efSearch: calibration!.expansionSearch, calibration: calibration!.tried, ...m, exactMsPerRecommendation: (performance.now() - t) / Math.min(100, histories.length) };
}
report(0, out);
