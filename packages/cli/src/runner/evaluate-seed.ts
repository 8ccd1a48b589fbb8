import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng, log, type EmbeddingModel } from "@mle/core";
import { writeColumnar, type Interactions } from "@mle/data";
import { evaluateRanking, evaluateRatings, scoreBlock, scoringSpace, type RankingResult, type RankingTask } from "@mle/metrics";
import { fitModel, initBackend, tfBlockScorer } from "@mle/models";
import type { ExperimentConfig } from "../config/schema.ts";
import { epochMonitor, type CurvePoint } from "./epoch-monitor.ts";
import { memoizeUserVectors } from "./memo-model.ts";
import type { PreparedSeed } from "./prepare.ts";
import { rankingTask, trainSet, trainStats } from "./task.ts";

export interface SeedResult {
  seed: number;
  /** Mean over evaluated users of every per-user metric, plus catalogue-level ones and rmse/mae. */
  metrics: Record<string, number>;
  /** The same means on the validation part, when the split has one (for choosing hyperparameters). */
  validMetrics?: Record<string, number>;
  /** Per-user values on the test part, for paired tests and bootstrap intervals. */
  perUser: Record<string, Float64Array>;
  users: Int32Array;
  usersWithoutRelevant: number;
  topItems: Int32Array;
  kMax: number;
  fitSeconds: number;
  evaluateSeconds: number;
  model: string;
  /** TensorFlow.js backend that computed (results may differ in the last bits between backends). */
  backend: string;
  /** Per-epoch training loss (and watched validation metric) of models trained in epochs; empty otherwise. */
  curve: CurvePoint[];
}

/** Fits the model on one seed's training part and evaluates it on the test part. */
export async function evaluateSeed(c: ExperimentConfig, x: Interactions, s: PreparedSeed): Promise<SeedResult> {
  const backend = await initBackend();
  const scorer = tfBlockScorer(scoreBlock);
  const rng = new Rng(s.seed, "model");
  const stats = trainStats(x, s.split.train);
  const validTask = s.split.valid ? rankingTask(x, s.split.valid, stats) : null;
  const { monitor, curve } = epochMonitor(c, validTask);
  let t = performance.now();
  const { epochs, learningRate, optimizer, batchSize, threads } = c.training;
  const model = memoizeUserVectors(await fitModel(c.model, trainSet(x, s.split.train), rng, { epochs, learningRate, optimizer, batchSize, threads, monitor }));
  const fitSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  // One scoring space, upload and set of training counts serve both the test and the validation part.
  const options = { k: c.evaluation.k, relevantMinRating: c.evaluation.relevantMinRating, gain: c.evaluation.gain, scorer, space: scoringSpace(model) };
  const task = rankingTask(x, s.split.test, stats);
  const ranking = evaluateRanking(model, task, options);
  const ratings = evaluateRatings(model, task);
  const evaluateSeconds = (performance.now() - t) / 1000;
  const metrics = means(ranking, ratings);
  let validMetrics: Record<string, number> | undefined;
  if (validTask) validMetrics = means(evaluateRanking(model, validTask, options), evaluateRatings(model, validTask));
  scorer.dispose();
  log(`seed ${s.seed}: ${model.name} fitted in ${fitSeconds.toFixed(2)} s, ${ranking.users.length} users evaluated in ${evaluateSeconds.toFixed(2)} s`);
  const result: SeedResult = {
    seed: s.seed, metrics, validMetrics, perUser: ranking.perUser, users: ranking.users, usersWithoutRelevant: ranking.usersWithoutRelevant,
    topItems: ranking.topItems, kMax: ranking.kMax, fitSeconds, evaluateSeconds, model: model.name, backend, curve,
  };
  writeFileSync(join(s.dir, "metrics.json"), `${JSON.stringify({ seed: s.seed, model: model.name, metrics, validMetrics, usersEvaluated: ranking.users.length, usersWithoutRelevant: ranking.usersWithoutRelevant, fitSeconds, evaluateSeconds, curve }, null, 2)}\n`);
  writeVectors(s.dir, model, x, task);
  writeColumnar(join(s.dir, "per-user.bin"), { metrics: Object.keys(ranking.perUser), kMax: ranking.kMax }, {
    users: ranking.users, topItems: ranking.topItems,
    ...Object.fromEntries(Object.entries(ranking.perUser).map(([k, v]) => [k, Float32Array.from(v)])),
  });
  return result;
}

/** Item vectors (and, for dense models, the evaluated users' vectors): raw float32 plus a JSON header. */
function writeVectors(dir: string, model: EmbeddingModel, x: Interactions, task: RankingTask): void {
  writeFileSync(join(dir, "item-vectors.f32"), model.itemVectors);
  const header: Record<string, unknown> = {
    model: model.name, similarity: model.similarity, dim: model.dim, nItems: model.nItems, dtype: "float32", layout: "row-major nItems × dim",
    itemIds: Array.from(x.itemOf, (i) => i), note: "itemIds are the dataset's dense item indices (see the dataset's itemIds for raw movieIds)",
  };
  const first = task.users.length ? model.userVector({ items: task.historyItems.subarray(0, task.historyOffsets[1]), ratings: task.historyRatings.subarray(0, task.historyOffsets[1]) }) : null;
  if (first instanceof Float32Array) {
    const users = new Float32Array(task.users.length * model.dim);
    for (let u = 0; u < task.users.length; u++) {
      const a = task.historyOffsets[u];
      const e = task.historyOffsets[u + 1];
      users.set(model.userVector({ items: task.historyItems.subarray(a, e), ratings: task.historyRatings.subarray(a, e) }) as Float32Array, u * model.dim);
    }
    writeFileSync(join(dir, "user-vectors.f32"), users);
    header.users = Array.from(task.users, (u) => x.userOf[u]);
  } else {
    header.users = "sparse: a user's vector is their history row (see the model's docs)";
  }
  writeFileSync(join(dir, "vectors.json"), `${JSON.stringify(header)}\n`);
}

function means(r: RankingResult, ratings: { rmse: number; mae: number } | null): Record<string, number> {
  const m: Record<string, number> = { ...r.aggregate };
  for (const [name, values] of Object.entries(r.perUser)) m[name] = mean(values);
  if (ratings) Object.assign(m, { rmse: ratings.rmse, mae: ratings.mae });
  return m;
}

function mean(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : NaN;
}
