import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDataset, makeSplit, preprocess, splitSchema, type Interactions, type ReleaseName } from "@mle/data";

/** `user<TAB>item<TAB>1<TAB>timestamp` per row, raw ids: the files every peer reads. */
function rowWriter(outDir: string, x: Interactions, userIds: ArrayLike<number>, itemIds: ArrayLike<number>) {
  mkdirSync(outDir, { recursive: true });
  return (file: string, rows: Uint32Array) =>
    writeFileSync(join(outDir, file), [...rows].map((r) => `${userIds[x.userOf[x.user[r]]]}\t${itemIds[x.itemOf[x.item[r]]]}\t1\t${x.timestamp[r]}\n`).join(""));
}

/**
 * Writes one seeded per-user random 75/25 split (the Microsoft Recommenders ML-100k protocol) of a
 * release as `train.tsv` / `test.tsv` (raw ids): the files every peer reads.
 * Ratings below `minRating` are dropped (0: every rating is an interaction).
 */
export async function exportRandomSplit(mirror: string, name: ReleaseName, minRating: number, outDir: string): Promise<void> {
  const { dataset } = await loadDataset(name, { mirror });
  const x = preprocess(dataset, { feedback: { kind: "implicit", minRating }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
  const split = makeSplit(x, splitSchema.parse({ kind: "random", train: 0.75, valid: 0, test: 0.25 }), 1);
  const write = rowWriter(outDir, x, dataset.userIds, dataset.itemIds);
  write("train.tsv", split.train);
  write("test.tsv", split.test.target);
}

/**
 * Writes one seeded strong-generalisation split (Liang et al. 2018) of a release: `train.tsv` (the training
 * users' rows), and for the held-out test users `foldin.tsv` (the history a model sees, 80%) and
 * `test.tsv` (the targets, 20%). Validation users are not written: every peer trains a fixed number of epochs.
 */
export async function exportUserHoldoutSplit(mirror: string, name: ReleaseName, minRating: number, outDir: string, testUsers: number): Promise<void> {
  const { dataset } = await loadDataset(name, { mirror });
  const x = preprocess(dataset, { feedback: { kind: "implicit", minRating }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
  const split = makeSplit(x, splitSchema.parse({ kind: "user-holdout", validUsers: 1, testUsers }), 1);
  const write = rowWriter(outDir, x, dataset.userIds, dataset.itemIds);
  write("train.tsv", split.train);
  write("foldin.tsv", split.test.history);
  write("test.tsv", split.test.target);
}

/**
 * Writes the leave-one-out-by-time split of a release (the sequential protocol): `train.tsv` (every row before
 * each user's last two), `history.tsv` (everything before the last: what a model folds in at test time) and
 * `test.tsv` (each user's last row), timestamps kept so that every side reads the same order.
 */
export async function exportLeaveLastSplit(mirror: string, name: ReleaseName, minRating: number, outDir: string): Promise<void> {
  const { dataset } = await loadDataset(name, { mirror });
  const x = preprocess(dataset, { feedback: { kind: "implicit", minRating }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
  const split = makeSplit(x, splitSchema.parse({ kind: "leave-last", test: 1, valid: 1 }), 1);
  const write = rowWriter(outDir, x, dataset.userIds, dataset.itemIds);
  const byTime = (rows: Uint32Array) => Uint32Array.from(rows).sort((a, b) => x.user[a] - x.user[b] || x.timestamp[a] - x.timestamp[b] || a - b);
  write("train.tsv", byTime(split.train));
  write("history.tsv", byTime(split.test.history));
  write("test.tsv", split.test.target);
}
