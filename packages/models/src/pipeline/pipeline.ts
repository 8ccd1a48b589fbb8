import { AnnIndex, measureAnn } from "@mle/ann";
import { UserError, isSparse, log, type EmbeddingModel, type History, type ModelState, type StateValue, type TrainSet } from "@mle/core";
import { trainingOptions } from "../engine/training.ts";
import type { FitContext, Trained } from "../family.ts";
import { fitModel, restoreModel } from "../registry.ts";
import type { PipelineConfig } from "./config.ts";

/**
 * Fits both stages on the same training data (each from its own seeded stream), builds the HNSW index over the
 * retrieval stage's item vectors and measures it against exact search on the training users' vectors.
 */
export async function fitPipeline(train: TrainSet, c: PipelineConfig, { rng }: FitContext): Promise<Trained<ModelState>> {
  const fitStage = async (name: "retrieval" | "rerank") => {
    log(`pipeline: fitting the ${name} stage`);
    return fitModel(train, c[name].model, { rng: rng.fork(name), training: trainingOptions(c[name].training) });
  };
  const retrieval = await fitStage("retrieval");
  const rerank = await fitStage("rerank");
  const state: ModelState = { ...prefixed("retrieval", retrieval.state), ...prefixed("rerank", rerank.state) };
  const model = pipelineModel(retrieval.model, rerank.model, c);
  const m = model.ann;
  // The index against exact search on (up to 500) training users' own vectors: what the report and the run log.
  const queries: Float32Array[] = [];
  const histories = trainHistories(train, 500);
  for (const h of histories) queries.push(retrieval.model.userVector(h) as Float32Array);
  const q = measureAnn(m, retrieval.model, queries);
  Object.assign(state, { annRecallAt10: q.recall["recall@10"], annRecallAt100: q.recall["recall@100"], annQueriesPerSecond: q.queriesPerSecond, annBuildSeconds: m.buildSeconds });
  log(`pipeline: HNSW over ${retrieval.model.nItems} items of ${retrieval.model.name} (M ${c.ann.connectivity}, efConstruction ${c.ann.expansionAdd}, efSearch ${c.ann.expansionSearch}) built in ${m.buildSeconds.toFixed(2)} s; against exact search on ${q.queries} users: recall@10 ${q.recall["recall@10"].toFixed(4)}, recall@100 ${q.recall["recall@100"].toFixed(4)}, ${q.queriesPerSecond.toFixed(0)} queries/s`);
  return { model, state };
}

function prefixed(prefix: string, s: ModelState): ModelState {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [`${prefix}/${k}`, v]));
}

function unprefixed(prefix: string, s: ModelState): ModelState {
  const out: Record<string, StateValue> = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

/** The first `n` training users' histories (row order), for measuring the index on real queries. */
function trainHistories(train: TrainSet, n: number): History[] {
  const by = new Map<number, { items: number[]; ratings: number[] }>();
  for (let r = 0; r < train.user.length; r++) {
    const u = train.user[r];
    if (!by.has(u) && by.size >= n) continue;
    const h = by.get(u) ?? { items: [], ratings: [] };
    h.items.push(train.item[r]), h.ratings.push(train.rating[r]);
    by.set(u, h);
  }
  return [...by.values()].map((h) => ({ items: Int32Array.from(h.items), ratings: Float32Array.from(h.ratings) }));
}

/** The pipeline a saved state serves: both stages restored, the index rebuilt from the same vectors (the same graph). */
export function restorePipeline(s: ModelState, c: PipelineConfig): EmbeddingModel {
  return pipelineModel(restoreModel(unprefixed("retrieval", s), c.retrieval.model), restoreModel(unprefixed("rerank", s), c.rerank.model), c);
}

/**
 * The two-stage model: the re-rank stage's embedding space (its item vectors, user vectors and ratings), with
 * `candidates` from the retrieval stage through the index — what is evaluated is what a server would run.
 */
export function pipelineModel(retrieval: EmbeddingModel, rerank: EmbeddingModel, c: PipelineConfig): EmbeddingModel & { ann: AnnIndex } {
  if (retrieval.nItems !== rerank.nItems) throw new Error(`pipeline stages disagree on the catalogue: ${retrieval.nItems} vs ${rerank.nItems} items`);
  const ann = AnnIndex.build(retrieval, c.ann);
  const dense = (h: History): Float32Array => {
    const v = retrieval.userVector(h);
    if (isSparse(v)) throw new UserError(`${retrieval.name} gives sparse user vectors (a row over the history's items), which no vector index can query; use it as the re-rank stage`);
    return v;
  };
  // A movie's neighbours: what the retrieval model proposes to someone who rated only that movie (its own notion of
  // "near": Euclidean for the metric models, the tower for two-tower, fold-in for MF); cached per movie and rating.
  const neighbourCache = new Map<string, Int32Array>();
  const neighboursOf = (item: number, rating: number) => {
    const key = `${item}:${rating}`;
    let found = neighbourCache.get(key);
    if (!found) neighbourCache.set(key, (found = ann.search(dense({ items: Int32Array.of(item), ratings: Float32Array.of(rating) }), c.neighbours, [item])));
    return found;
  };
  const candidates = (h: History): Int32Array => {
    if (c.query === "user") return ann.search(dense(h), c.candidates, h.items);
    const seen = new Set(h.items);
    const votes = new Map<number, { count: number; best: number }>();
    for (let k = 0; k < h.items.length; k++) {
      neighboursOf(h.items[k], h.ratings[k]).forEach((i, rank) => {
        if (seen.has(i)) return;
        const v = votes.get(i);
        if (v) (v.count++, (v.best = Math.min(v.best, rank)));
        else votes.set(i, { count: 1, best: rank });
      });
    }
    const order = [...votes.entries()].sort((a, b) => b[1].count - a[1].count || a[1].best - b[1].best || a[0] - b[0]);
    return Int32Array.from(order.slice(0, c.candidates), ([i]) => i);
  };
  return {
    name: `${retrieval.name} → ${rerank.name} (N=${c.candidates})`, dim: rerank.dim, nItems: rerank.nItems, similarity: rerank.similarity, itemVectors: rerank.itemVectors,
    userVector: (h) => rerank.userVector(h),
    ...(rerank.userVectors ? { userVectors: (hs: History[]) => rerank.userVectors!(hs) } : {}),
    ...(rerank.predictRatings ? { predictRatings: (h: History, items: Int32Array) => rerank.predictRatings!(h, items) } : {}),
    candidates, ann,
  };
}
