import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setQuiet, userLists } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { itemFeatureMatrix } from "@mle/core";
import { itemFeatures, userFeatures } from "./features.ts";
import { loadDataset } from "./ingest.ts";
import { preprocess } from "./interactions.ts";
import { buildRankingTask, buildTrainSet, trainStats } from "./task.ts";
import { writeSyntheticLatest } from "./test-fixtures.ts";

const mirror = testMirror();
const tmp = tempDir();
beforeAll(() => setQuiet(true));
afterAll(tmp.cleanup);
const implicit = { feedback: { kind: "implicit" as const, minRating: 0 }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" as const };

describe("item features of a release with a genome (synthetic ml-latest layout)", () => {
  it("genres, year, tag counts and genome rows land on the interactions' items", async () => {
    const m = join(tmp.dir, "mirror");
    writeSyntheticLatest(m);
    const { dataset } = await loadDataset("ml-latest", { mirror: m, cacheDir: join(tmp.dir, "cache") });
    const x = preprocess(dataset, implicit);
    const f = itemFeatures(dataset, x);
    const item = (movieId: number) => Array.from(x.itemOf).findIndex((di) => dataset.itemIds[di] === movieId);
    const toy = item(1);
    expect(f.year[toy]).toBe(1995);
    expect(f.genreNames.filter((_, g) => f.genres[toy * f.genreNames.length + g])).toEqual(["Adventure", "Animation"]);
    expect(Array.from(f.genome!.relevance.subarray(toy * 2, toy * 2 + 2))).toEqual([Math.fround(0.02), Math.fround(0.98)]);
    expect(f.genome!.has[item(200)]).toBe(0);
    const t = f.tags!;
    expect(Array.from(t.tag.subarray(t.offsets[toy], t.offsets[toy + 1])).map((id) => t.vocabulary[id])).toEqual(["pixar"]);
    const dense = itemFeatureMatrix(f, { genres: true, year: true, tags: { top: 10 }, genome: true });
    expect(dense.width).toBe(dense.names.length);
    expect(dense.names).toContain("genome:animated");
    const row = dense.values.subarray(toy * dense.width, (toy + 1) * dense.width);
    expect(row[dense.names.indexOf("tag:pixar")]).toBeCloseTo(1, 6); // its only tag: L2-normalised TF-IDF is 1
    expect(row[dense.names.indexOf("year:unknown")]).toBe(0);
  });
});

describe.skipIf(!mirror)(`features and ordered tasks on real releases (skips when ${noMirrorReason})`, () => {
  it("ML-100k: u.item genres and years for every item, u.user demographics for every user", async () => {
    const { dataset } = await loadDataset("ml-100k", { mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
    const x = preprocess(dataset, implicit);
    const f = itemFeatures(dataset, x);
    expect(f.genreNames).toHaveLength(19);
    expect(Array.from(f.year).filter((y) => y === 0).length).toBeLessThanOrEqual(1); // one u.item row has neither a title year nor a date
    const u = userFeatures(dataset, x)!;
    expect(u.nUsers).toBe(943);
    expect(Array.from(u.gender).every((g) => g === 1 || g === 2)).toBe(true);
    expect(u.occupationNames).toContain("technician");
    expect(u.age[Array.from(x.userOf).findIndex((du) => dataset.userIds[du] === 1)]).toBe(24);
  });

  it("ml-latest-small: histories in time order (train set and ranking task), with timestamps", async () => {
    const { dataset } = await loadDataset("ml-latest-small", { mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
    const x = preprocess(dataset, implicit);
    const rows = Uint32Array.from({ length: x.n }, (_, r) => r);
    const lists = userLists(buildTrainSet(x, rows), "time");
    for (let u = 0; u < x.nUsers; u++) {
      for (let j = lists.offsets[u] + 1; j < lists.offsets[u + 1]; j++) expect(lists.timestamps[j]).toBeGreaterThanOrEqual(lists.timestamps[j - 1]);
    }
    const task = buildRankingTask(x, { history: rows.filter((r) => r % 2 === 0), target: rows.filter((r) => r % 2 === 1) }, trainStats(x, rows));
    for (let u = 0; u < task.users.length; u++) {
      for (let j = task.historyOffsets[u] + 1; j < task.historyOffsets[u + 1]; j++) expect(task.historyTimestamps[j]).toBeGreaterThanOrEqual(task.historyTimestamps[j - 1]);
    }
    expect(itemFeatures(dataset, x).tags!.vocabulary.length).toBeGreaterThan(1000);
  });
});
