import { Rng, UserError } from "@mle/core";
import { z } from "zod";
import type { Interactions } from "../interactions.ts";
import { groupRows } from "@mle/core";
import { rowsWhere } from "../rows.ts";
import { finishSplit } from "./finish.ts";
import type { Split } from "./types.ts";

/** A count of users (≥ 1) or a fraction of them (< 1). */
const users = z.number().positive();

export const userHoldoutSplitSchema = z.strictObject({
  kind: z.literal("user-holdout"),
  validUsers: users.default(0.1),
  testUsers: users.default(0.1),
  /** Share of each held-out user's interactions that become targets (Liang et al. 2018: 0.2). */
  targetFraction: z.number().gt(0).lt(1).default(0.2),
  /** Held-out users with fewer interactions give no targets (all fold-in), as in Liang et al.'s code. */
  minHistory: z.number().int().min(2).default(5),
});
export type UserHoldoutSplitConfig = z.infer<typeof userHoldoutSplitSchema>;

/**
 * Strong generalisation (Liang et al. 2018): some users are held out entirely; each held-out user's
 * interactions are split at random into a fold-in part (the history the model sees at test time,
 * without retraining) and targets. Held-out rows on items no training user touched are dropped.
 */
export function userHoldoutSplit(x: Interactions, c: UserHoldoutSplitConfig, seed: number): Split {
  const rng = new Rng(seed, "split/user-holdout");
  const count = (v: number) => (v >= 1 ? Math.floor(v) : Math.round(v * x.nUsers));
  const nValid = count(c.validUsers);
  const nTest = count(c.testUsers);
  if (nValid + nTest >= x.nUsers) throw new UserError(`user-holdout: ${nValid} + ${nTest} held-out users leave no training user (of ${x.nUsers})`);
  const perm = rng.fork("users").permutation(x.nUsers);
  const role = new Uint8Array(x.nUsers); // 0 train, 1 valid, 2 test
  for (let i = 0; i < nTest; i++) role[perm[i]] = 2;
  for (let i = nTest; i < nTest + nValid; i++) role[perm[i]] = 1;

  // part per row: 0 train, 1/2 fold-in of valid/test, 3/4 target of valid/test, 5 dropped
  const part = new Uint8Array(x.n);
  const trainItems = new Uint8Array(x.nItems);
  for (let i = 0; i < x.n; i++) if (role[x.user[i]] === 0) trainItems[x.item[i]] = 1;
  let dropped = 0;
  let noTargets = 0;
  const g = groupRows(x.user, x.nUsers);
  const pick = rng.fork("targets");
  for (let u = 0; u < x.nUsers; u++) {
    const r = role[u];
    if (r === 0) continue;
    const rows: number[] = [];
    for (let j = g.offsets[u]; j < g.offsets[u + 1]; j++) {
      const row = g.rows[j];
      if (trainItems[x.item[row]]) rows.push(row);
      else (part[row] = 5), dropped++;
    }
    const nTarget = rows.length >= c.minHistory ? Math.floor(c.targetFraction * rows.length) : 0;
    if (nTarget === 0) noTargets++;
    pick.shuffle(rows);
    rows.forEach((row, k) => (part[row] = k < nTarget ? r + 2 : r));
  }
  const train = rowsWhere(part, 0);
  const valid = nValid ? { history: rowsWhere(part, 1), target: rowsWhere(part, 3) } : null;
  const test = { history: rowsWhere(part, 2), target: rowsWhere(part, 4) };
  return finishSplit(x, "user-holdout", seed, { ...c, nValidUsers: nValid, nTestUsers: nTest }, { train, valid, test },
    { droppedUnseenItemRows: dropped, heldOutUsersWithoutTargets: noTargets },
    `User hold-out with fold-in ("strong generalisation", Liang et al. 2018): ${nTest} test and ${nValid} validation users ` +
    `are removed from training altogether; for each of them ${(c.targetFraction * 100).toFixed(0)}% of their interactions ` +
    `(chosen at random, seed ${seed}) are targets and the rest is the history their vector is folded in from. ` +
    `This measures what serving does with a new or changed user — a vector from a history, with no retraining — ` +
    `which is the contract every model here keeps. ${dropped} held-out interactions with items no training user touched were dropped.`);
}
