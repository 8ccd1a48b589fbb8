import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { loadDataset } from "./ingest.ts";
import { preprocess } from "./interactions.ts";
import { buildRankingTask, sampleTaskUsers, trainStats } from "./task.ts";

const mirror = testMirror();
const tmp = tempDir();
afterAll(tmp.cleanup);

describe.skipIf(!mirror)(`sampleTaskUsers on ML-100k (skips when ${noMirrorReason})`, () => {
  it("keeps n users, each with exactly their own history and targets, the same ones for the same seed", async () => {
    const { dataset } = await loadDataset("ml-100k", { mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
    const x = preprocess(dataset, { feedback: { kind: "implicit", minRating: 0 }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
    const rows = Uint32Array.from({ length: x.n }, (_, r) => r);
    const task = buildRankingTask(x, { history: rows.filter((r) => r % 3 !== 0), target: rows.filter((r) => r % 3 === 0) }, trainStats(x, rows));
    const sample = sampleTaskUsers(task, 100, new Rng(7, "valid-sample"));
    expect(sample.users).toHaveLength(100);
    expect(new Set(sample.users).size).toBe(100);
    expect(Array.from(sample.users)).toEqual(Array.from(sample.users).sort((a, b) => a - b)); // task order
    const row = (t: typeof task, u: number) => {
      const k = t.users.indexOf(u);
      const slice = <T extends ArrayLike<number>>(o: Uint32Array, v: T) => Array.from(v).slice(o[k], o[k + 1]);
      return [slice(t.historyOffsets, t.historyItems), slice(t.historyOffsets, t.historyRatings), slice(t.historyOffsets, t.historyTimestamps), slice(t.targetOffsets, t.targetItems), slice(t.targetOffsets, t.targetRatings)];
    };
    for (const u of sample.users) expect(row(sample, u)).toEqual(row(task, u));
    expect(sample.historyItems).toBeInstanceOf(Int32Array);
    expect(sample.historyTimestamps).toBeInstanceOf(Uint32Array);
    expect(sample.itemTrainUsers).toBe(task.itemTrainUsers);
    expect(Array.from(sampleTaskUsers(task, 100, new Rng(7, "valid-sample")).users)).toEqual(Array.from(sample.users));
    expect(Array.from(sampleTaskUsers(task, 100, new Rng(8, "valid-sample")).users)).not.toEqual(Array.from(sample.users));
    expect(sampleTaskUsers(task, task.users.length, new Rng(7, "x"))).toBe(task);
  });
});
