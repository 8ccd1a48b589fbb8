import { z } from "zod";
import type { Interactions } from "../interactions.ts";
import { rowsWhere } from "../rows.ts";
import { finishSplit, rowsOfUsers, unionRows, userMask } from "./finish.ts";
import type { Split } from "./types.ts";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, "an ISO date like 2018-01-01");

export const temporalSplitSchema = z.strictObject({
  kind: z.literal("temporal"),
  /** Fractions of interactions (by time) for validation and test; or explicit dates below. */
  valid: z.number().min(0).lt(1).default(0.1),
  test: z.number().gt(0).lt(1).default(0.1),
  validFrom: isoDate.optional(),
  testFrom: isoDate.optional(),
}).superRefine((s, ctx) => {
  if (s.valid + s.test < 1) return;
  ctx.addIssue({ code: "custom", path: ["test"], input: s.test, message: `valid ${s.valid} + test ${s.test} = ${+(s.valid + s.test).toFixed(6)}; they must leave something to train on (sum below 1)` });
});
export type TemporalSplitConfig = z.infer<typeof temporalSplitSchema>;

/**
 * Global temporal cut: everything before time T_valid trains, [T_valid, T_test) validates,
 * from T_test on tests. Cut times are quantiles of the timestamps unless dates are given;
 * rows sharing the cut second all go to the later part, so no training row is later than any target.
 */
export function temporalSplit(x: Interactions, c: TemporalSplitConfig, seed: number): Split {
  const sorted = x.timestamp.slice().sort();
  const at = (q: number) => sorted[Math.min(x.n - 1, Math.floor(q * x.n))];
  const tTest = c.testFrom ? Date.parse(c.testFrom) / 1000 : at(1 - c.test);
  const tValid = c.validFrom ? Date.parse(c.validFrom) / 1000 : c.valid > 0 ? at(1 - c.test - c.valid) : tTest;
  const part = new Uint8Array(x.n);
  for (let i = 0; i < x.n; i++) part[i] = x.timestamp[i] >= tTest ? 2 : x.timestamp[i] >= tValid ? 1 : 0;
  const train = rowsWhere(part, 0);
  const validAll = rowsWhere(part, 1);
  const testAll = rowsWhere(part, 2);
  const trainUsers = userMask(x, train);
  const beforeTest = unionRows(train, validAll);
  const seenBeforeTest = userMask(x, beforeTest);
  const valid = validAll.length ? { history: rowsOfUsers(x, train, userMask(x, validAll)), target: validAll } : null;
  const test = { history: rowsOfUsers(x, beforeTest, userMask(x, testAll)), target: testAll };
  const coldValid = valid ? countUsersWithout(x, validAll, trainUsers) : 0;
  const coldTest = countUsersWithout(x, testAll, seenBeforeTest);
  const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  const params = { validFrom: iso(tValid), testFrom: iso(tTest), validCut: tValid, testCut: tTest, valid: c.valid, test: c.test };
  return finishSplit(x, "temporal", seed, params, { train, valid, test }, { coldStartValidUsers: coldValid, coldStartTestUsers: coldTest },
    `A global temporal cut: the model learns from every interaction before ${iso(tValid)}, is tuned on ` +
    `${valid ? `[${iso(tValid)}, ${iso(tTest)})` : "nothing (no validation part)"} and is tested on what happened from ${iso(tTest)} on. ` +
    `This is how a recommender is deployed — trained on the past, judged on the future — so no future interaction ` +
    `leaks into training, unlike random splits that let a model learn from ratings made after the ones it predicts ` +
    `(the reference write-up 000 splits the same way). Users first seen after the cut (${coldTest} in test) have no ` +
    `history to fold in; they are counted here and evaluated only by models that can use an empty history.`);
}

function countUsersWithout(x: Interactions, rows: Uint32Array, seen: Uint8Array): number {
  const counted = new Uint8Array(x.nUsers);
  let c = 0;
  for (const r of rows) {
    const u = x.user[r];
    if (!seen[u] && !counted[u]) (counted[u] = 1), c++;
  }
  return c;
}
