import { argsortUint32, groupRows } from "./group.ts";

/**
 * The tasks every package shares: what a model is fitted on (`TrainSet`) and what it is evaluated on
 * (`RankingTask`), in one dense user × item space. `data` builds them from a split, `models` fits on
 * them, `metrics` scores them.
 */

/** Interaction rows in the split's row order (the order seeded training visits them in). */
export interface TrainSet {
  nUsers: number;
  nItems: number;
  user: Int32Array;
  item: Int32Array;
  rating: Float32Array;
  /** Seconds since the Unix epoch; `userLists(t, "time")` gives each user's history in time order. */
  timestamp: Uint32Array;
  /** What the catalogue's items are (genres, year, tags, genome), for content models; absent when unknown. */
  itemFeatures?: ItemFeatures;
  /** Who the users are, where the release says (ML-100k's `u.user`). */
  userFeatures?: UserFeatures;
}

/** Evaluated users with their history (folded in and excluded) and targets, as CSR; histories in time order. */
export interface RankingTask {
  nItems: number;
  users: Int32Array;
  historyOffsets: Uint32Array;
  historyItems: Int32Array;
  historyRatings: Float32Array;
  historyTimestamps: Uint32Array;
  targetOffsets: Uint32Array;
  targetItems: Int32Array;
  targetRatings: Float32Array;
  /** For novelty: how many training users interacted with each item, and how many training users there are. */
  itemTrainUsers: Uint32Array;
  nTrainUsers: number;
}

/** The content of the catalogue in the task's item space: what content models may ask for. */
export interface ItemFeatures {
  nItems: number;
  genreNames: string[];
  /** nItems × genreNames.length, 1 where the movie has the genre. */
  genres: Uint8Array;
  /** Release year; 0 where unknown. */
  year: Int16Array;
  /** User-applied tags per item: (tag, times applied) as CSR over items. */
  tags?: { vocabulary: string[]; offsets: Uint32Array; tag: Int32Array; count: Uint32Array };
  /** The tag genome: relevance rows (nItems × tagNames.length), zero where `has` is 0. */
  genome?: { tagNames: string[]; relevance: Float32Array; has: Uint8Array };
}

/** Demographics in the task's user space (ML-100k `u.user`, ML-1M `users.dat`). */
export interface UserFeatures {
  nUsers: number;
  /** Age in years (ML-1M: the lower bound of its age band); 0 where unknown. */
  age: Int16Array;
  /** 1 female, 2 male, 0 unknown. */
  gender: Uint8Array;
  occupationNames: string[];
  occupation: Int16Array;
}

/** Each user's rows as CSR: items, ratings and times, in row order or time order. */
export interface UserLists {
  offsets: Uint32Array;
  items: Int32Array;
  ratings: Float32Array;
  timestamps: Uint32Array;
}

/**
 * Items per user. `rows`: each user's items in the train set's row order; `time`: oldest first, ties in
 * row order (what sequence models read).
 */
export function userLists(t: TrainSet, order: "rows" | "time" = "rows"): UserLists {
  return listsBy(t.user, t.nUsers, t.item, t, order === "time" ? argsortUint32(t.timestamp) : undefined);
}

/** Users per item, in row order (the other side of an alternating solve). */
export function itemLists(t: TrainSet): UserLists {
  return listsBy(t.item, t.nItems, t.user, t);
}

function listsBy(key: Int32Array, nKeys: number, other: Int32Array, t: TrainSet, order?: Uint32Array): UserLists {
  const g = groupRows(key, nKeys, order);
  return {
    offsets: g.offsets,
    items: Int32Array.from(g.rows, (r) => other[r]),
    ratings: Float32Array.from(g.rows, (r) => t.rating[r]),
    timestamps: Uint32Array.from(g.rows, (r) => t.timestamp[r]),
  };
}

/** A stable key of a history's items, so per-user randomness (random baseline, BPR fold-in) is seeded by the history. */
export function historyKey(items: ArrayLike<number>): number {
  let h = items.length;
  for (let i = 0; i < items.length; i++) h = (Math.imul(h, 31) + items[i]) | 0;
  return h;
}
