import { argsortUint32, gather, groupRows, type ItemFeatures, type RankingTask, type Rng, type TrainSet, type UserFeatures } from "@mle/core";
import type { Interactions } from "./interactions.ts";
import type { HoldoutPart, Rows } from "./split/types.ts";

/** The rows a model is fitted on, in the split's row order, with the content views when the caller has them. */
export function buildTrainSet(x: Interactions, rows: Rows, content: { itemFeatures?: ItemFeatures; userFeatures?: UserFeatures } = {}): TrainSet {
  return {
    nUsers: x.nUsers, nItems: x.nItems,
    user: gather(x.user, rows), item: gather(x.item, rows), rating: gather(x.rating, rows), timestamp: gather(x.timestamp, rows),
    ...content,
  };
}

/** For novelty: training users per item and how many users trained. Preprocessing leaves one row per (user, item). */
export interface TrainStats {
  itemTrainUsers: Uint32Array;
  nTrainUsers: number;
}

export function trainStats(x: Interactions, train: Rows): TrainStats {
  const itemTrainUsers = new Uint32Array(x.nItems);
  const trainUsers = new Uint8Array(x.nUsers);
  for (const r of train) {
    trainUsers[x.user[r]] = 1;
    itemTrainUsers[x.item[r]]++;
  }
  return { itemTrainUsers, nTrainUsers: trainUsers.reduce((a, b) => a + b, 0) };
}

/**
 * Every user with a target in `part`: their history (folded in and excluded), oldest first with ties in
 * row order, and their targets, as CSR.
 */
export function buildRankingTask(x: Interactions, part: HoldoutPart, stats: TrainStats): RankingTask {
  const hasTarget = new Uint8Array(x.nUsers);
  for (const r of part.target) hasTarget[x.user[r]] = 1;
  const slot = new Int32Array(x.nUsers).fill(-1);
  const users: number[] = [];
  for (let u = 0; u < x.nUsers; u++) if (hasTarget[u]) (slot[u] = users.length), users.push(u);
  // The rows themselves, stably sorted by their timestamps (ties keep row order).
  const byTime = (rows: Rows) => argsortUint32(x.timestamp, rows);
  const history = lists(x, byTime(part.history), slot, users.length);
  const target = lists(x, part.target, slot, users.length);
  return {
    nItems: x.nItems, users: Int32Array.from(users),
    historyOffsets: history.offsets, historyItems: history.items, historyRatings: history.ratings, historyTimestamps: history.timestamps,
    targetOffsets: target.offsets, targetItems: target.items, targetRatings: target.ratings,
    ...stats,
  };
}

/** The rows of evaluated users (slot ≥ 0), grouped by slot, each group in the given row order. */
function lists(x: Interactions, rows: Rows, slot: Int32Array, n: number) {
  // Plain loops: at full size these arrays hold 15M rows, and TypedArray.from/filter with a callback take seconds.
  const keptAll = new Uint32Array(rows.length);
  let m = 0;
  for (let k = 0; k < rows.length; k++) if (slot[x.user[rows[k]]] >= 0) keptAll[m++] = rows[k];
  const kept = keptAll.subarray(0, m);
  const key = new Int32Array(m);
  for (let k = 0; k < m; k++) key[k] = slot[x.user[kept[k]]];
  const g = groupRows(key, n);
  const ordered = gather(kept, g.rows);
  return { offsets: g.offsets, items: gather(x.item, ordered), ratings: gather(x.rating, ordered), timestamps: gather(x.timestamp, ordered) };
}

/**
 * The task restricted to `n` of its users drawn without replacement by `rng` (the whole task when n is at least its
 * user count), kept in task order: a cheaper validation pass for early stopping at full size, the same users every epoch.
 */
export function sampleTaskUsers(task: RankingTask, n: number, rng: Rng): RankingTask {
  if (n >= task.users.length) return task;
  const picked = rng.permutation(task.users.length).subarray(0, n).sort();
  const offsetsOf = (offsets: Uint32Array) => {
    const out = new Uint32Array(n + 1);
    picked.forEach((u, k) => (out[k + 1] = out[k] + offsets[u + 1] - offsets[u]));
    return out;
  };
  const take = <T extends Int32Array | Float32Array | Uint32Array>(from: Uint32Array, to: Uint32Array, values: T): T => {
    const out = new (values.constructor as new (n: number) => T)(to[n]);
    picked.forEach((u, k) => out.set(values.subarray(from[u], from[u + 1]), to[k]));
    return out;
  };
  const [ho, to] = [task.historyOffsets, task.targetOffsets];
  const [hn, tn] = [offsetsOf(ho), offsetsOf(to)];
  return {
    ...task,
    users: Int32Array.from(picked, (u) => task.users[u]),
    historyOffsets: hn, historyItems: take(ho, hn, task.historyItems), historyRatings: take(ho, hn, task.historyRatings), historyTimestamps: take(ho, hn, task.historyTimestamps),
    targetOffsets: tn, targetItems: take(to, tn, task.targetItems), targetRatings: take(to, tn, task.targetRatings),
  };
}
