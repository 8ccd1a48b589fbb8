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
