import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng, isSparse, log, writeColumnar, type EmbeddingModel, type RankingTask } from "@mle/core";
import { buildRankingTask, buildTrainSet, sampleTaskUsers, trainStats, type Interactions } from "@mle/data";
import { evaluateRanking, evaluateRatings, taskHistory, type RankingResult } from "@mle/metrics";
import { measureAnn } from "@mle/ann";
import { fitModel, initBackend, saveModel, trainingOptions } from "@mle/models";
import { buildServeIndex } from "@mle/serve";
import type { ExperimentConfig } from "../config/schema.ts";
import { epochMonitor, type CurvePoint, type PruneRule, type TrainingRecord } from "./epoch-monitor.ts";
import { evaluationOptions, newScorer } from "./evaluation.ts";
import { memoizeUserVectors } from "./memo-model.ts";
import type { PreparedExperiment, PreparedSeed } from "./prepare.ts";
import { coldItemMask, coldTargetsTask } from "./cold-items.ts";
import { referenceMetrics } from "./references.ts";

export interface SeedResult {
  seed: number;
  /** Mean over evaluated users of every per-user metric, plus catalogue-level ones and rmse/mae. */
  metrics: Record<string, number>;
  /** The same means on the validation part, when the split has one (for choosing hyperparameters). */
  validMetrics?: Record<string, number>;
  /** The same means with only cold targets (items with ≤ `evaluation.coldItems` training ratings). */
  coldMetrics?: Record<string, number>;
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
  /** The learning curve and the kept epoch of models trained in epochs; an empty curve otherwise. */
  training: TrainingRecord;
  /** The reference models' test metrics on this seed's split (popularity; global mean and baseline-only on ratings). */
  references: Record<string, Record<string, number>>;
  /** The serving index saved beside the model, against exact search on the test users' vectors (dense item spaces only). */
  serving?: Record<string, number>;
}

/** Fits the model on one seed's training part, saves it, and evaluates it on the test (and validation) part. */
export interface SeedOptions {
  /** Each learning-curve point as it happens (live tracking). */
  onEpoch?: (point: CurvePoint, watched?: string) => Promise<void>;
  /** A tuner's pruning rule (see `epochMonitor`). */
  prune?: PruneRule;
  /** Build and measure the serving index beside the saved model (default true; a tuning trial is never served). */
  servingIndex?: boolean;
}

export async function evaluateSeed(c: ExperimentConfig, p: PreparedExperiment, s: PreparedSeed, o: SeedOptions = {}): Promise<SeedResult> {
  const x = p.interactions;
  const backend = await initBackend();
  const scorer = newScorer();
  const stats = trainStats(x, s.split.train);
  const validTask = s.split.valid ? buildRankingTask(x, s.split.valid, stats) : null;
  const sampled = c.training.earlyStopping?.users;
  const watchTask = validTask && sampled ? sampleTaskUsers(validTask, sampled, new Rng(s.seed, "early-stopping/users")) : validTask;
  const { monitor, record } = epochMonitor(c, watchTask, o.onEpoch, o.prune);
  const train = buildTrainSet(x, s.split.train, p.content);
  let t = performance.now();
  const trained = await fitModel(train, c.model, { rng: new Rng(s.seed, "model"), training: trainingOptions(c.training, monitor) });
  const fitSeconds = (performance.now() - t) / 1000;
  const model = memoizeUserVectors(trained.model);
  const d = p.loaded.dataset;
  const movieIds = Int32Array.from(x.itemOf, (i) => d.itemIds[i]);
  saveModel(join(s.dir, "model"), trained, c.model, c.training, { dataset: d.name, datasetChecksum: d.checksum, splitHash: s.split.manifest.hash, seed: s.seed }, movieIds);
  t = performance.now();
  // One scoring space, upload and set of training counts serve both the test and the validation part.
  const options = evaluationOptions(c, model, scorer);
  const task = buildRankingTask(x, s.split.test, stats);
  const ranking = await evaluateRanking(model, task, options);
  const ratings = evaluateRatings(model, task);
  const evaluateSeconds = (performance.now() - t) / 1000;
  const metrics = means(ranking, ratings);
  let validMetrics: Record<string, number> | undefined;
  if (validTask) validMetrics = means(await evaluateRanking(model, validTask, options), evaluateRatings(model, validTask));
  const coldTask = c.evaluation.coldItems === undefined ? null : coldTargetsTask(task, c.evaluation.coldItems);
  // The item cold-start protocol: cold targets ranked among the cold items only (in the full catalogue
  // every model, content ones included, ranks them below the head: recall@10 ≈ 0 for all on ML-100k).
  const coldOptions = coldTask ? { ...options, candidates: coldItemMask(task, c.evaluation.coldItems!) } : options;
  const coldMetrics = coldTask ? means(await evaluateRanking(model, coldTask, coldOptions), evaluateRatings(model, coldTask)) : undefined;
  if (coldTask) log(`seed ${s.seed}: cold items (≤ ${c.evaluation.coldItems} training ratings): ${coldTask.targetItems.length} targets of ${coldTask.users.length} users`);
  scorer.dispose();
  log(`seed ${s.seed}: ${model.name} fitted in ${fitSeconds.toFixed(2)} s, ${ranking.users.length} users evaluated in ${evaluateSeconds.toFixed(2)} s`);
  const references = c.evaluation.references ? await referenceMetrics(c, train, task, s.seed) : {};
  const serving = o.servingIndex === false ? undefined : servingIndex(join(s.dir, "model"), model, task);
  const result: SeedResult = {
    seed: s.seed, metrics, validMetrics, coldMetrics, perUser: ranking.perUser, users: ranking.users, usersWithoutRelevant: ranking.usersWithoutRelevant,
    topItems: ranking.topItems, kMax: ranking.kMax, fitSeconds, evaluateSeconds, model: model.name, backend, training: record, references, serving,
  };
  writeFileSync(join(s.dir, "metrics.json"), `${JSON.stringify({ seed: s.seed, model: model.name, metrics, validMetrics, coldMetrics, usersEvaluated: ranking.users.length, usersWithoutRelevant: ranking.usersWithoutRelevant, fitSeconds, evaluateSeconds, training: record, references, serving }, null, 2)}\n`);
  writeVectors(s.dir, model, x, task, movieIds, d.userIds);
  writeColumnar(join(s.dir, "per-user.bin"), { metrics: Object.keys(ranking.perUser), kMax: ranking.kMax, note: "users/topItems are dense task indices; userIds/topMovieIds the raw MovieLens ids (-1 past a short list)" }, {
    users: ranking.users, topItems: ranking.topItems,
    userIds: Int32Array.from(ranking.users, (u) => d.userIds[x.userOf[u]]),
    topMovieIds: Int32Array.from(ranking.topItems, (i) => (i < 0 ? -1 : movieIds[i])),
    ...Object.fromEntries(Object.entries(ranking.perUser).map(([k, v]) => [k, Float32Array.from(v)])),
  });
  return result;
}

/** Item vectors and the evaluated users' vectors (dense as float32 rows; sparse, like EASE's, as CSR), with a JSON header. */
function writeVectors(dir: string, model: EmbeddingModel, x: Interactions, task: RankingTask, movieIds: Int32Array, userIds: Int32Array): void {
  writeFileSync(join(dir, "item-vectors.f32"), model.itemVectors);
  const users = Array.from(task.users, (u) => userIds[x.userOf[u]]);
  const header: Record<string, unknown> = {
    model: model.name, similarity: model.similarity, dim: model.dim, nItems: model.nItems, dtype: "float32", layout: "row-major nItems × dim",
    movieIds: Array.from(movieIds), users,
  };
  const vectors = Array.from(task.users, (_, u) => model.userVector(taskHistory(task, u)));
  if (vectors.every((v) => !isSparse(v))) {
    const dense = new Float32Array(vectors.length * model.dim);
    vectors.forEach((v, u) => dense.set(v as Float32Array, u * model.dim));
    writeFileSync(join(dir, "user-vectors.f32"), dense);
    header.userVectors = "user-vectors.f32: row-major users × dim, rows in the order of `users`";
  } else {
    const offsets = new Uint32Array(vectors.length + 1);
    vectors.forEach((v, u) => (offsets[u + 1] = offsets[u] + (isSparse(v) ? v.indices.length : v.length)));
    const indices = new Int32Array(offsets[vectors.length]);
    const values = new Float32Array(offsets[vectors.length]);
    vectors.forEach((v, u) => {
      if (isSparse(v)) (indices.set(v.indices, offsets[u]), values.set(v.values, offsets[u]));
      else v.forEach((value, f) => ((indices[offsets[u] + f] = f), (values[offsets[u] + f] = value)));
    });
    writeColumnar(join(dir, "user-vectors.csr"), { users }, { offsets, indices, values });
    header.userVectors = "user-vectors.csr: sparse rows (offsets, indices, values) in the order of `users`";
  }
  writeFileSync(join(dir, "vectors.json"), `${JSON.stringify(header)}\n`);
}

export function means(r: RankingResult, ratings: { rmse: number; mae: number } | null): Record<string, number> {
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

/** Queries of the serving index's check: at most this many test users (half calibrate efSearch, half measure). */
const INDEX_CHECK_USERS = 1000;

/**
 * Builds the HNSW index `pnpm recommend` and `pnpm serve` use (model/serve-ann/), calibrates its efSearch on half of
 * the test users' folded-in vectors (the smallest reaching recall@10 0.995 against exact search), and measures it on
 * the other half: recall@10, recall@100, search p50/p99, build time.
 */
function servingIndex(modelDir: string, model: EmbeddingModel, task: RankingTask): Record<string, number> | undefined {
  const users = Array.from({ length: Math.min(INDEX_CHECK_USERS, task.users.length) }, (_, u) => model.userVector(taskHistory(task, u)));
  if (users.length < 2 || users.some(isSparse)) return undefined;
  const [tune, check] = [users.filter((_, j) => j % 2 === 0), users.filter((_, j) => j % 2 === 1)] as Float32Array[][];
  const built = buildServeIndex(modelDir, model, tune);
  if (!built) return undefined;
  const { index, calibration } = built;
  const m = measureAnn(index, model, check, [10, 100]);
  log(`serving index: HNSW over ${model.nItems.toLocaleString("en-US")} items in ${index.buildSeconds.toFixed(2)} s, ${index.graph} graph, efSearch ${index.options.expansionSearch} (chosen on ${tune.length} test users), recall@10 ${m.recall["recall@10"].toFixed(4)}, recall@100 ${m.recall["recall@100"].toFixed(4)} against exact search on ${m.queries} others, p50 ${m.p50Ms.toFixed(3)} ms, p99 ${m.p99Ms.toFixed(3)} ms`);
  return {
    "recall@10": m.recall["recall@10"], "recall@100": m.recall["recall@100"], p50_ms: m.p50Ms, p99_ms: m.p99Ms, build_seconds: index.buildSeconds, items: index.size,
    ef_search: index.options.expansionSearch, ef_search_reached_target: calibration?.reached ? 1 : 0, inner_product_graph: index.graph === "inner-product" ? 1 : 0,
  };
}
