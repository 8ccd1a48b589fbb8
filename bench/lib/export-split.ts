import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDataset, makeSplit, preprocess, splitSchema, type ReleaseName } from "@mle/data";

/**
 * Writes one seeded per-user random 75/25 split (the Microsoft Recommenders ML-100k protocol) of a
 * release as `train.tsv` / `test.tsv` (`user<TAB>item<TAB>1<TAB>0`, raw ids): the files every peer reads.
 * Ratings below `minRating` are dropped (0: every rating is an interaction).
 */
export async function exportRandomSplit(mirror: string, name: ReleaseName, minRating: number, outDir: string): Promise<void> {
  const { dataset } = await loadDataset(name, { mirror });
  const x = preprocess(dataset, { feedback: { kind: "implicit", minRating }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
  const split = makeSplit(x, splitSchema.parse({ kind: "random", train: 0.75, valid: 0, test: 0.25 }), 1);
  mkdirSync(outDir, { recursive: true });
  const write = (file: string, rows: Uint32Array) =>
    writeFileSync(join(outDir, file), [...rows].map((r) => `${dataset.userIds[x.userOf[x.user[r]]]}\t${dataset.itemIds[x.itemOf[x.item[r]]]}\t1\t0\n`).join(""));
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
  mkdirSync(outDir, { recursive: true });
  const write = (file: string, rows: Uint32Array) =>
    writeFileSync(join(outDir, file), [...rows].map((r) => `${dataset.userIds[x.userOf[x.user[r]]]}\t${dataset.itemIds[x.itemOf[x.item[r]]]}\t1\t0\n`).join(""));
  write("train.tsv", split.train);
  write("foldin.tsv", split.test.history);
  write("test.tsv", split.test.target);
}
