import type { HoldoutPart, Interactions, Rows } from "@mle/data";
import type { RankingTask } from "@mle/metrics";
import type { TrainSet } from "@mle/models";

/** The rows a model is fitted on, in the interactions' user × item space. */
export function trainSet(x: Interactions, rows: Rows): TrainSet {
  return {
    nUsers: x.nUsers, nItems: x.nItems,
    user: Int32Array.from(rows, (r) => x.user[r]), item: Int32Array.from(rows, (r) => x.item[r]), rating: Float32Array.from(rows, (r) => x.rating[r]),
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

/** Every user with a target in `part`: their history (folded in and excluded) and targets, as CSR. */
export function rankingTask(x: Interactions, part: HoldoutPart, stats: TrainStats): RankingTask {
  const hasTarget = new Uint8Array(x.nUsers);
  for (const r of part.target) hasTarget[x.user[r]] = 1;
  const slot = new Int32Array(x.nUsers).fill(-1);
  const users: number[] = [];
  for (let u = 0; u < x.nUsers; u++) if (hasTarget[u]) (slot[u] = users.length), users.push(u);
  const history = csr(x, part.history, slot, users.length);
  const target = csr(x, part.target, slot, users.length);
  return {
    nItems: x.nItems, users: Int32Array.from(users),
    historyOffsets: history.offsets, historyItems: history.items, historyRatings: history.ratings,
    targetOffsets: target.offsets, targetItems: target.items, targetRatings: target.ratings,
    ...stats,
  };
}

function csr(x: Interactions, rows: Rows, slot: Int32Array, n: number) {
  const offsets = new Uint32Array(n + 1);
  for (const r of rows) if (slot[x.user[r]] >= 0) offsets[slot[x.user[r]] + 1]++;
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const next = offsets.slice(0, n);
  const items = new Int32Array(offsets[n]);
  const ratings = new Float32Array(offsets[n]);
  for (const r of rows) {
    const s = slot[x.user[r]];
    if (s < 0) continue;
    const at = next[s]++;
    items[at] = x.item[r];
    ratings[at] = x.rating[r];
  }
  return { offsets, items, ratings };
}
