import { UserError } from "@mle/core";
import type { Dataset } from "./dataset.ts";
import { groupRows } from "@mle/core";

/**
 * The interactions an experiment uses: the dataset after preprocessing, with users and items
 * re-indexed to those that remain. `userOf`/`itemOf` lead back to the dataset's dense indices
 * (and through them to raw ids, titles, genres).
 */
export interface Interactions {
  dataset: string;
  datasetChecksum: string;
  feedback: "explicit" | "implicit";
  nUsers: number;
  nItems: number;
  n: number;
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
  timestamp: Uint32Array;
  userOf: Int32Array;
  itemOf: Int32Array;
  report: PreprocessReport;
}

export interface PreprocessOptions {
  /** `implicit` keeps ratings ≥ minRating as positive interactions (0 keeps every rating). */
  feedback: { kind: "explicit" } | { kind: "implicit"; minRating: number };
  /** Iterative k-core: repeat until every user and item has at least this many interactions. */
  kCore: { users: number; items: number };
  /** A user who rated a movie twice: keep the latest, the first, or fail. */
  duplicates: "keep-last" | "keep-first" | "error";
}

export interface PreprocessReport {
  ratings: number;
  duplicatesRemoved: number;
  belowThreshold: number;
  kCoreRemoved: number;
  kCoreRounds: number;
  interactions: number;
  users: number;
  items: number;
}

export function preprocess(d: Dataset, o: PreprocessOptions): Interactions {
  const n0 = d.nRatings;
  const { user, item, rating, timestamp } = d.ratings;
  const keep = new Uint8Array(n0).fill(1);

  const duplicatesRemoved = markDuplicates(d, keep, o.duplicates);
  let belowThreshold = 0;
  if (o.feedback.kind === "implicit") {
    const t = o.feedback.minRating;
    for (let i = 0; i < n0; i++) if (keep[i] && rating[i] < t) (keep[i] = 0), belowThreshold++;
  }
  const { removed: kCoreRemoved, rounds: kCoreRounds } = kCore(user, item, d.nUsers, d.nItems, keep, o.kCore.users, o.kCore.items);

  const userMap = new Int32Array(d.nUsers).fill(-1);
  const itemMap = new Int32Array(d.nItems).fill(-1);
  let n = 0;
  for (let i = 0; i < n0; i++) if (keep[i]) (n++, (userMap[user[i]] = 0), (itemMap[item[i]] = 0));
  if (n === 0) {
    throw new UserError(
      `${d.name} is empty after preprocessing (${duplicatesRemoved} duplicates, ${belowThreshold} below the rating threshold, ${kCoreRemoved} removed by the ${o.kCore.users}/${o.kCore.items}-core)`,
      "lower data.feedback.minRating or data.kCore",
    );
  }
  const userOf = compact(userMap);
  const itemOf = compact(itemMap);
  const out = { user: new Int32Array(n), item: new Int32Array(n), rating: new Float32Array(n), timestamp: new Uint32Array(n) };
  let k = 0;
  for (let i = 0; i < n0; i++) {
    if (!keep[i]) continue;
    out.user[k] = userMap[user[i]];
    out.item[k] = itemMap[item[i]];
    out.rating[k] = rating[i];
    out.timestamp[k] = timestamp[i];
    k++;
  }
  return {
    dataset: d.name,
    datasetChecksum: d.checksum,
    feedback: o.feedback.kind,
    nUsers: userOf.length,
    nItems: itemOf.length,
    n,
    ...out,
    userOf,
    itemOf,
    report: { ratings: n0, duplicatesRemoved, belowThreshold, kCoreRemoved, kCoreRounds, interactions: n, users: userOf.length, items: itemOf.length },
  };
}

/** Marks kept indices 0..m-1 in order and returns new → old. */
function compact(map: Int32Array): Int32Array {
  let m = 0;
  for (let i = 0; i < map.length; i++) if (map[i] === 0) map[i] = m++;
  const back = new Int32Array(m);
  for (let i = 0; i < map.length; i++) if (map[i] >= 0) back[map[i]] = i;
  return back;
}

function markDuplicates(d: Dataset, keep: Uint8Array, policy: PreprocessOptions["duplicates"]): number {
  const { user, item, timestamp } = d.ratings;
  const g = groupRows(user, d.nUsers);
  const lastRow = new Int32Array(d.nItems).fill(-1);
  const stamp = new Int32Array(d.nItems).fill(-1);
  let removed = 0;
  for (let u = 0; u < d.nUsers; u++) {
    for (let j = g.offsets[u]; j < g.offsets[u + 1]; j++) {
      const r = g.rows[j];
      const it = item[r];
      if (stamp[it] !== u) {
        stamp[it] = u;
        lastRow[it] = r;
        continue;
      }
      if (policy === "error") {
        throw new UserError(`${d.name}: user ${d.userIds[u]} rated movie ${d.itemIds[it]} more than once`, 'set data.duplicates to "keep-last" or "keep-first"');
      }
      const prev = lastRow[it];
      // Later timestamp wins for keep-last (file order breaks ties); the reverse for keep-first.
      const laterIsNew = timestamp[r] > timestamp[prev] || (timestamp[r] === timestamp[prev] && r > prev);
      const drop = policy === "keep-last" ? (laterIsNew ? prev : r) : laterIsNew ? r : prev;
      keep[drop] = 0;
      lastRow[it] = drop === prev ? r : prev;
      removed++;
    }
  }
  return removed;
}

function kCore(user: Int32Array, item: Int32Array, nUsers: number, nItems: number, keep: Uint8Array, minU: number, minI: number) {
  let removed = 0;
  let rounds = 0;
  if (minU <= 1 && minI <= 1) return { removed, rounds };
  const cu = new Uint32Array(nUsers);
  const ci = new Uint32Array(nItems);
  for (;;) {
    rounds++;
    cu.fill(0);
    ci.fill(0);
    for (let i = 0; i < keep.length; i++) if (keep[i]) (cu[user[i]]++, ci[item[i]]++);
    let changed = 0;
    for (let i = 0; i < keep.length; i++) {
      if (keep[i] && (cu[user[i]] < minU || ci[item[i]] < minI)) (keep[i] = 0), changed++;
    }
    removed += changed;
    if (changed === 0) return { removed, rounds };
  }
}
