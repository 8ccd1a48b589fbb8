import { log, progressBar, yieldToEvents, type EmbeddingModel, type History, type RankingTask, type UserVector } from "@mle/core";
import { CoverageCounter } from "./ranking/coverage.ts";
import { reciprocalRankFull } from "./ranking/mrr.ts";
import { selfInformation } from "./ranking/novelty.ts";
import type { RankedList } from "./ranking/ranked-list.ts";
import { ratingErrors } from "./rating/errors.ts";
import { PER_USER_AT_K, perUserMetricNames } from "./registry.ts";
import { scoreBlock, scoringSpace, topK, type ScoringSpace } from "./scoring.ts";

export interface RankingOptions {
  k: number[];
  /** Targets rated at least this are relevant; unset: every target is relevant (implicit feedback). */
  relevantMinRating?: number;
  /** NDCG gain: 1 per relevant item, or the item's rating. */
  gain?: "binary" | "rating";
  /** Users scored per block (memory: block × items floats). */
  blockUsers?: number;
  /** Computes a block's scores; default: the JS kernel. The runner may pass a faster one (TF.js matMul). */
  scorer?: BlockScorer;
  /** The model's scoring space, when the caller evaluates several parts with one model (built once). */
  space?: ScoringSpace;
  /**
   * Rank only these items (1 = candidate; the item cold-start protocol ranks among the cold items only);
   * unset: the whole catalogue. Non-candidates are excluded like the history.
   */
  candidates?: Uint8Array;
}

/** Fills `out` (users × items) with the scores of a block of user vectors against the space. */
export type BlockScorer = ((space: ScoringSpace, vectors: UserVector[], out: Float32Array) => void) & { rank?: BlockRanker };

/**
 * Ranks a block where the scores live (the native backend): each user's exact top `kMax` with their own
 * `exclude` items removed (and, given `candidates`, every item that is not one) and ties to the lower item
 * index (`top`, −1 past `lengths`), and the full-ranking reciprocal rank of the best relevant item under the
 * same rules. Returns null when it cannot (e.g. sparse user vectors); the evaluator then ranks in JS.
 */
export type BlockRanker = (
  space: ScoringSpace, vectors: UserVector[], exclude: { offsets: Uint32Array; items: Int32Array }, kMax: number, relevant: number[][], candidates?: Uint8Array,
) => { top: Int32Array; lengths: Int32Array; mrr: Float64Array } | null;

export interface RankingResult {
  /** The evaluated users (those with at least one relevant target), in task order. */
  users: Int32Array;
  /** Metric name → one value per evaluated user (same order as `users`). */
  perUser: Record<string, Float64Array>;
  /** Catalogue-level metrics (coverage@K). */
  aggregate: Record<string, number>;
  /** Users with no relevant target: not counted in any mean. */
  usersWithoutRelevant: number;
  /** Each evaluated user's top max(K) items, best first (-1 past the end of a short list). */
  topItems: Int32Array;
  kMax: number;
}

/** User u's history in a task (time order), as the model sees it. */
export function taskHistory(task: RankingTask, u: number): History {
  const a = task.historyOffsets[u];
  const e = task.historyOffsets[u + 1];
  return { items: task.historyItems.subarray(a, e), ratings: task.historyRatings.subarray(a, e), timestamps: task.historyTimestamps.subarray(a, e) };
}

/**
 * Full-ranking evaluation through the embedding contract: every catalogue item is scored for every
 * user, the user's history is excluded, the exact top-K is taken. Users are scored in blocks so the
 * whole users × items score matrix never exists at once.
 */
export async function evaluateRanking(model: EmbeddingModel, task: RankingTask, options: RankingOptions): Promise<RankingResult> {
  const ks = [...new Set(options.k)].sort((a, b) => a - b);
  const kMax = ks[ks.length - 1];
  const n = task.nItems;
  if (model.nItems !== n) throw new Error(`${model.name} has ${model.nItems} items, the task ${n}`);
  const space = options.space ?? scoringSpace(model);
  const block = Math.max(1, Math.min(options.blockUsers ?? Math.floor((64 << 20) / (4 * n)), 1024));
  const info = selfInformation(task.itemTrainUsers, task.nTrainUsers);
  const minRating = options.relevantMinRating ?? -Infinity;
  const graded = options.gain === "rating";

  const nUsers = task.users.length;
  const names = perUserMetricNames(ks);
  const columns = Object.fromEntries(names.map((m) => [m, new Float64Array(nUsers)]));
  const coverage = ks.map(() => new CoverageCounter(n));
  const evaluatedUsers = new Int32Array(nUsers);
  const topItems = new Int32Array(nUsers * kMax).fill(-1);
  let evaluated = 0;

  const scores = new Float32Array(block * n);
  const items = new Int32Array(kMax);
  const heap = new Float32Array(kMax);
  const gainOf = new Float64Array(n); // stamped per user, cleared after
  const list: RankedList = { gains: new Float64Array(kMax), length: 0, nRelevant: 0, idealGains: new Float64Array(0) };
  const input = { list, items, length: 0, info };
  const atK = ks.map((k) => PER_USER_AT_K.map((m) => ({ column: columns[`${m.name}@${k}`], compute: m.compute })));
  const bar = progressBar(`evaluate ${model.name}`, nUsers, { unit: "items" });
  // A two-stage model ranks its own candidates first (scores are moved below every candidate's), and reports
  // how many of each user's relevant targets its first stage kept.
  const staged = model.candidates ? (h: History) => model.candidates!(h) : null;
  if (staged) columns.candidate_recall = new Float64Array(nUsers);
  const proposed: Int32Array[] = [];
  const nonCandidates = options.candidates ? Int32Array.from({ length: n }, (_, i) => i).filter((i) => !options.candidates![i]) : new Int32Array(0);

  for (let b0 = 0; b0 < nUsers; b0 += block) {
    const b1 = Math.min(nUsers, b0 + block);
    const histories: History[] = [];
    for (let u = b0; u < b1; u++) histories.push(taskHistory(task, u));
    const vectors = model.userVectors ? model.userVectors(histories) : histories.map((h) => model.userVector(h));
    // Each user's relevant targets (rated ≥ the threshold, each item once) and their gains.
    const relevant: number[][] = [];
    const ideal: number[][] = [];
    for (let u = b0; u < b1; u++) {
      const rel: number[] = [];
      const gains: number[] = [];
      for (let j = task.targetOffsets[u]; j < task.targetOffsets[u + 1]; j++) {
        if (task.targetRatings[j] < minRating) continue;
        const it = task.targetItems[j];
        if (gainOf[it] > 0) continue; // a target listed twice counts once
        gainOf[it] = graded ? task.targetRatings[j] : 1;
        rel.push(it);
        gains.push(gainOf[it]);
      }
      for (const it of rel) gainOf[it] = 0;
      relevant.push(rel);
      ideal.push(gains);
    }
    const exclude = { offsets: task.historyOffsets.subarray(b0, b1 + 1), items: task.historyItems };
    if (staged) proposed.splice(0, proposed.length, ...histories.map(staged));
    const ranked = staged ? null : (options.scorer?.rank?.(space, vectors, exclude, kMax, relevant, options.candidates) ?? null);
    if (!ranked) {
      (options.scorer ?? scoreBlock)(space, vectors, scores);
      for (let u = b0; u < b1; u++) {
        const off = (u - b0) * n;
        if (staged) demoteNonCandidates(scores, off, n, proposed[u - b0]);
        for (let j = task.historyOffsets[u]; j < task.historyOffsets[u + 1]; j++) scores[off + task.historyItems[j]] = -Infinity;
        for (const i of nonCandidates) scores[off + i] = -Infinity;
      }
    }
    for (let u = b0; u < b1; u++) {
      const rel = relevant[u - b0];
      if (rel.length === 0) continue;
      let len: number;
      let mrr: number;
      if (ranked) {
        len = ranked.lengths[u - b0];
        items.set(ranked.top.subarray((u - b0) * kMax, (u - b0) * kMax + kMax));
        mrr = ranked.mrr[u - b0];
      } else {
        const off = (u - b0) * n;
        len = topK(scores, off, n, kMax, items, heap);
        mrr = reciprocalRankFull(scores, off, n, rel);
      }
      rel.forEach((it, j) => (gainOf[it] = ideal[u - b0][j]));
      for (let r = 0; r < kMax; r++) list.gains[r] = r < len ? gainOf[items[r]] : 0;
      for (const it of rel) gainOf[it] = 0;
      list.length = len;
      list.nRelevant = rel.length;
      list.idealGains = Float64Array.from(ideal[u - b0]).sort().reverse();
      const e = evaluated;
      columns.mrr[e] = mrr;
      if (staged) {
        const kept = new Set(proposed[u - b0]);
        columns.candidate_recall[e] = rel.filter((it) => kept.has(it)).length / rel.length;
      }
      input.length = len;
      for (const [ki, k] of ks.entries()) {
        for (const m of atK[ki]) m.column[e] = m.compute(input, k);
        coverage[ki].add(items, len, k);
      }
      topItems.set(items.subarray(0, len), e * kMax);
      evaluatedUsers[e] = task.users[u];
      evaluated++;
    }
    bar.update(b1);
    await yieldToEvents(); // a Ctrl-C is heard between blocks
  }
  bar.stop();
  const skipped = nUsers - evaluated;
  if (skipped > 0) log(`${skipped} of ${nUsers} users have no relevant target and are not counted`);
  return {
    users: evaluatedUsers.slice(0, evaluated),
    perUser: Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, v.slice(0, evaluated)])),
    aggregate: Object.fromEntries(ks.map((k, i) => [`coverage@${k}`, coverage[i].coverage()])),
    usersWithoutRelevant: skipped,
    topItems: topItems.slice(0, evaluated * kMax),
    kMax,
  };
}

/**
 * Every item outside `candidates` moved below every candidate, keeping its order: its score minus the block's
 * score range plus one (in float64, then stored) — ranks past the candidates stay ordered by the same score.
 */
function demoteNonCandidates(scores: Float32Array, off: number, n: number, candidates: Int32Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = scores[off + i];
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const shift = hi - lo + 1;
  const keep = new Float32Array(candidates.length);
  candidates.forEach((i, j) => (keep[j] = scores[off + i]));
  for (let i = 0; i < n; i++) scores[off + i] -= shift;
  candidates.forEach((i, j) => (scores[off + i] = keep[j]));
}

/** RMSE/MAE of a rating model over every target interaction, each user's prediction folded in from their history. */
export function evaluateRatings(model: EmbeddingModel, task: RankingTask): { rmse: number; mae: number; n: number } | null {
  if (!model.predictRatings) return null;
  const predicted = new Float32Array(task.targetItems.length);
  for (let u = 0; u < task.users.length; u++) {
    const ta = task.targetOffsets[u];
    const te = task.targetOffsets[u + 1];
    if (te === ta) continue;
    predicted.set(model.predictRatings(taskHistory(task, u), task.targetItems.subarray(ta, te)), ta);
  }
  return ratingErrors(predicted, task.targetRatings);
}

