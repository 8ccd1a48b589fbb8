import { z } from "zod";
import type { Interactions } from "../interactions.ts";
import { argsortUint32, groupRows } from "@mle/core";
import { rowsWhere } from "../rows.ts";
import { finishSplit, rowsOfUsers, unionRows, userMask } from "./finish.ts";
import type { Split } from "./types.ts";

export const leaveLastSplitSchema = z.strictObject({
  kind: z.literal("leave-last"),
  /** "count": the last `test` (and before them `valid`) interactions; "fraction": those shares of each history. */
  by: z.enum(["count", "fraction"]).default("count"),
  test: z.number().positive().default(1),
  valid: z.number().min(0).default(1),
  /** Users with fewer than this many training interactions left keep everything in train. */
  minTrain: z.number().int().min(1).default(1),
}).superRefine((s, ctx) => {
  for (const key of ["test", "valid"] as const) {
    if (s.by === "count" && !Number.isInteger(s[key])) ctx.addIssue({ code: "custom", path: [key], message: "a whole number of interactions (by: count)" });
    if (s.by === "fraction" && s[key] >= 1) ctx.addIssue({ code: "custom", path: [key], message: "a fraction below 1 (by: fraction)" });
  }
  if (s.by === "fraction" && s.test < 1 && s.valid < 1 && s.test + s.valid >= 1) {
    ctx.addIssue({ code: "custom", path: ["test"], input: s.test, message: `valid ${s.valid} + test ${s.test} = ${+(s.valid + s.test).toFixed(6)}; they must leave a history to fold in (sum below 1)` });
  }
});
export type LeaveLastSplitConfig = z.infer<typeof leaveLastSplitSchema>;

/**
 * Per-user temporal leave-last-N: each user's latest interactions are the targets, the ones before
 * them the history. Ties in time are broken by file order.
 */
export function leaveLastSplit(x: Interactions, c: LeaveLastSplitConfig, seed: number): Split {
  const byTime = argsortUint32(x.timestamp);
  const g = groupRows(x.user, x.nUsers, byTime); // each user's rows in time order
  const part = new Uint8Array(x.n);
  let skipped = 0;
  for (let u = 0; u < x.nUsers; u++) {
    const a = g.offsets[u];
    const n = g.offsets[u + 1] - a;
    const nTest = c.by === "count" ? c.test : Math.floor(c.test * n);
    const nValid = c.by === "count" ? c.valid : Math.floor(c.valid * n);
    if (n - nTest - nValid < c.minTrain || nTest === 0) {
      skipped++;
      continue;
    }
    for (let j = n - nTest; j < n; j++) part[g.rows[a + j]] = 2;
    for (let j = n - nTest - nValid; j < n - nTest; j++) part[g.rows[a + j]] = 1;
  }
  const train = rowsWhere(part, 0);
  const validRows = rowsWhere(part, 1);
  const testRows = rowsWhere(part, 2);
  const valid = validRows.length ? { history: rowsOfUsers(x, train, userMask(x, validRows)), target: validRows } : null;
  const test = { history: rowsOfUsers(x, unionRows(train, validRows), userMask(x, testRows)), target: testRows };
  const what = c.by === "count" ? `last ${c.test} interaction${c.test > 1 ? "s" : ""}` : `last ${(c.test * 100).toFixed(0)}%`;
  return finishSplit(x, "leave-last", seed, { ...c }, { train, valid, test }, { usersKeptWhole: skipped },
    `Per-user temporal leave-last: each user's ${what} (by timestamp) are the test targets` +
    `${valid ? `, the ${c.by === "count" ? c.valid : `${(c.valid * 100).toFixed(0)}%`} before them validate` : ""}, and everything earlier is history. ` +
    `Every user is evaluated on what they did next, the protocol of sequential recommenders (SASRec, BERT4Rec) and of ` +
    `the leave-one-out benchmarks; unlike a global cut it evaluates every user, at the price of letting one user's ` +
    `later interactions train a model that is tested on another user's earlier ones. ${skipped} users with too short a history keep it all in train.`);
}
