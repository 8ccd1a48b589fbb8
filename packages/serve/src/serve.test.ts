import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setQuiet, UserError } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { loadDataset } from "@mle/data";
import { initBackend } from "@mle/models";
import { openModel, parseHistoryList, readHistoryFile, type OpenedModel } from "./index.ts";
import { trainedModelDir } from "./test-model.ts";

const mirror = testMirror();
const tmp = tempDir();
afterAll(tmp.cleanup);

describe.skipIf(!mirror)(`serving a saved model, ml-latest-small (skips when ${noMirrorReason})`, () => {
  let served: OpenedModel;
  let dir: string;
  beforeAll(async () => {
    setQuiet(true);
    await initBackend();
    dir = await trainedModelDir(tmp.dir, mirror!);
    served = await openModel(dir, { mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
  });

  it("recommends by the model's own fold-in: the exact top 10 are the top dot products of userVector, seen movies excluded", () => {
    const { recommender: r } = served;
    const { history, unknown } = r.history(parseHistoryList("1:5,3114:5,2355:4.5,4886:5,6377:4"));
    expect(unknown).toEqual([]);
    const got = r.recommend(history, { k: 10, exact: true });
    const u = r.model.userVector(history) as Float32Array;
    const d = r.model.dim;
    const score = (i: number) => u.reduce((s, x, f) => s + x * r.model.itemVectors[i * d + f], 0);
    const seen = new Set(history.items);
    const want = Array.from({ length: r.model.nItems }, (_, i) => i).filter((i) => !seen.has(i)).sort((a, b) => score(b) - score(a)).slice(0, 10);
    expect(got.map((m) => m.movieId)).toEqual(want.map((i) => served.recommender.catalogue.movies[i].movieId));
    for (const m of got) expect(m.score).toBeCloseTo(score(r.catalogue.item(m.movieId)!), 4);
    expect(got.some((m) => [1, 3114, 2355, 4886, 6377].includes(m.movieId))).toBe(false);
    expect(got[0].title).toMatch(/\(\d{4}\)$/);
  });

  it("the HNSW path finds the exact top 10 for real users, and the index is saved beside the model and mapped on the next open", async () => {
    const r = served.recommender;
    const dataset = (await loadDataset("ml-latest-small", { mirror: mirror!, cacheDir: join(tmp.dir, "cache") })).dataset;
    let overlap = 0;
    const users = [1, 50, 100, 200, 414];
    for (const userId of users) {
      const rated = Array.from(dataset.ratings.user.keys()).filter((k) => dataset.userIds[dataset.ratings.user[k]] === userId)
        .map((k) => ({ movieId: dataset.itemIds[dataset.ratings.item[k]], rating: dataset.ratings.rating[k], timestamp: dataset.ratings.timestamp[k] }));
      const { history } = r.history(rated);
      const exact = new Set(r.recommend(history, { k: 10, exact: true }).map((m) => m.movieId));
      overlap += r.recommend(history, { k: 10 }).filter((m) => exact.has(m.movieId)).length;
    }
    expect(overlap / (10 * users.length)).toBeGreaterThanOrEqual(0.98);
    expect(existsSync(join(dir, "serve-ann", "ann.json"))).toBe(true);
    const again = await openModel(dir, { mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
    const { history } = r.history(parseHistoryList("1:5,2:4"));
    expect(again.recommender.recommend(history, { k: 10 })).toEqual(r.recommend(history, { k: 10 }));
  });

  it("explains each recommendation by the user's nearest rated movies, and finds a movie's neighbours", () => {
    const r = served.recommender;
    const { history } = r.history(parseHistoryList("1:5,3114:5,78499:5"));
    const rec = r.recommend(history, { k: 5, explain: true });
    for (const m of rec) {
      expect(m.because!.length).toBe(3);
      expect(m.because!.map((b) => b.movieId).sort()).toEqual([1, 3114, 78499].sort());
      expect(m.because![0].similarity).toBeGreaterThanOrEqual(m.because![1].similarity);
    }
    const toyStory = r.catalogue.search("toy story")[0];
    expect(toyStory.title).toBe("Toy Story (1995)");
    const near = r.similar(toyStory.movieId, 10);
    expect(near.map((m) => m.movieId)).not.toContain(toyStory.movieId);
    expect(near[0].similarity).toBeGreaterThanOrEqual(near[9].similarity);
  });

  it("says what it left out and refuses bad input with a clear message", () => {
    const r = served.recommender;
    const { unknown } = r.history(parseHistoryList("1:5,99999999:4"));
    expect(unknown).toEqual([99999999]);
    expect(() => parseHistoryList(" , ")).toThrow(/history is empty/);
    expect(() => parseHistoryList("1:5,abc")).toThrow(/entry 2 "abc"/);
    expect(() => parseHistoryList("1:7")).toThrow(/ratings are 0 to 5/);
    expect(() => r.recommend(r.history(parseHistoryList("1:5")).history, { k: 0 })).toThrow(UserError);
    expect(() => r.similar(99999999)).toThrow(/not in this model's catalogue/);
    const file = join(tmp.dir, "h.csv");
    writeFileSync(file, "userId,movieId,rating,timestamp\n7,1,4.0,964982703\n7,x,4.0,964981247\n");
    expect(() => readHistoryFile(file)).toThrow(/h\.csv:3/);
    writeFileSync(file, "movieId,rating\n1,4\n260,5\n");
    expect(readHistoryFile(file)).toEqual([{ movieId: 1, rating: 4 }, { movieId: 260, rating: 5 }]);
  });
});
