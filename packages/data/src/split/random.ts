import { Rng } from "@mle/core";
import { z } from "zod";
import type { Interactions } from "../interactions.ts";
import { groupRows } from "@mle/core";
import { rowsWhere } from "../rows.ts";
import { finishSplit, rowsOfUsers, unionRows, userMask } from "./finish.ts";
import type { Split } from "./types.ts";

export const randomSplitSchema = z.strictObject({
  kind: z.literal("random"),
  train: z.number().gt(0).lt(1).default(0.8),
  valid: z.number().min(0).lt(1).default(0.1),
  test: z.number().gt(0).lt(1).default(0.1),
  /** Split each user's interactions by the ratios (stratified, as Microsoft Recommenders and RecBole do), or all rows at once. */
  byUser: z.boolean().default(true),
}).superRefine((s, ctx) => {
  const sum = s.train + s.valid + s.test;
  if (Math.abs(sum - 1) < 1e-9) return;
  ctx.addIssue({ code: "custom", path: ["test"], input: s.test, message: `train ${s.train} + valid ${s.valid} + test ${s.test} = ${+sum.toFixed(6)}; they must sum to 1` });
});
export type RandomSplitConfig = z.infer<typeof randomSplitSchema>;

/**
 * Random ratio split. Per user (default): shuffle the user's interactions and cut at
 * round(train·n) and round((train+valid)·n) — the cumulative-ratio rule of Microsoft Recommenders'
 * stratified split — so every user appears in every part their history allows.
 */
export function randomSplit(x: Interactions, c: RandomSplitConfig, seed: number): Split {
  const rng = new Rng(seed, "split/random");
  const part = new Uint8Array(x.n);
  const cut = (rows: ArrayLike<number>, n: number) => {
    const a = Math.round(c.train * n);
    const b = Math.round((c.train + c.valid) * n);
    for (let k = 0; k < n; k++) part[rows[k]] = k < a ? 0 : k < b ? 1 : 2;
  };
  if (c.byUser) {
    const g = groupRows(x.user, x.nUsers);
    for (let u = 0; u < x.nUsers; u++) {
      const rows = g.rows.subarray(g.offsets[u], g.offsets[u + 1]);
      rng.shuffle(rows);
      cut(rows, rows.length);
    }
  } else {
    cut(rng.permutation(x.n), x.n);
  }
  const train = rowsWhere(part, 0);
  const validRows = rowsWhere(part, 1);
  const testRows = rowsWhere(part, 2);
  const valid = validRows.length ? { history: rowsOfUsers(x, train, userMask(x, validRows)), target: validRows } : null;
  const test = { history: rowsOfUsers(x, unionRows(train, validRows), userMask(x, testRows)), target: testRows };
  const pct = (v: number) => `${Math.round(v * 100)}`;
  return finishSplit(x, "random", seed, { ...c }, { train, valid, test }, {},
    `A random ${pct(c.train)}/${pct(c.valid)}/${pct(c.test)} split${c.byUser ? " of each user's interactions" : " of all interactions"} (seed ${seed}). ` +
    `It is the protocol of the published benchmarks this project reproduces (Microsoft Recommenders on ML-100k, RecBole on ML-1M), ` +
    `so our numbers can sit next to theirs; it ignores time, so a model may learn from ratings made after the ones it is tested on — ` +
    `prefer the temporal or user hold-out splits for claims about deployment.`);
}
