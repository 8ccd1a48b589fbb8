import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "@mle/core";
import { z } from "zod";
import type { Dataset } from "../dataset.ts";
import type { Interactions } from "../interactions.ts";
import { readRatings } from "../parse/ratings.ts";
import { finishSplit, rowsOfUsers, userMask } from "./finish.ts";
import type { Split } from "./types.ts";

export const foldsSplitSchema = z.strictObject({
  kind: z.literal("folds"),
  /** File names in the release folder; `{fold}` is replaced by the seed (ML-100k: u1..u5). */
  train: z.string().default("u{fold}.base"),
  test: z.string().default("u{fold}.test"),
});
export type FoldsSplitConfig = z.infer<typeof foldsSplitSchema>;

/**
 * The published folds a release ships (ML-100k's u1..u5.base/test, the protocol of Surprise's
 * and most papers' RMSE tables). With this kind, the seed names the fold: seeds [1, 2, 3, 4, 5]
 * are the five official folds. Each fold's rows are matched to the interactions by (user, movie).
 */
export async function foldsSplit(x: Interactions, c: FoldsSplitConfig, seed: number, dataset: Dataset, dir: string): Promise<Split> {
  const key = (u: number, i: number) => u * 2 ** 21 + i;
  const rowOf = new Map<number, number>();
  for (let r = 0; r < x.n; r++) rowOf.set(key(dataset.userIds[x.userOf[x.user[r]]], dataset.itemIds[x.itemOf[x.item[r]]]), r);
  const read = async (pattern: string) => {
    const file = join(dir, pattern.replace("{fold}", String(seed)));
    if (!existsSync(file)) throw new UserError(`the folds split needs ${file} (seed ${seed} names the fold)`, "this split kind is for releases that ship folds, like ml-100k's u1..u5");
    const t = await readRatings(file, "udata");
    const rows: number[] = [];
    for (let k = 0; k < t.rows; k++) {
      const r = rowOf.get(key(t.user[k], t.movie[k]));
      if (r !== undefined) rows.push(r);
    }
    return Uint32Array.from(rows).sort();
  };
  const train = await read(c.train);
  const target = await read(c.test);
  const test = { history: rowsOfUsers(x, train, userMask(x, target)), target };
  return finishSplit(x, "folds", seed, { ...c }, { train, valid: null, test }, {},
    `The release's own fold ${seed} (${c.train.replace("{fold}", String(seed))} / ${c.test.replace("{fold}", String(seed))}): the split the published ` +
    `rating-prediction tables use (Surprise's SVD RMSE 0.934 on ML-100k is the mean over u1..u5), so our figures compare to theirs directly.`);
}
