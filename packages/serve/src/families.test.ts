import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, setQuiet, type TrainSet } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { buildTrainSet, itemFeatures, loadDataset, preprocess, userFeatures } from "@mle/data";
import { FAMILIES, fitModel, initBackend, modelConfigSchema, saveModel, trainingOptions, trainingSchemaFor, type ModelConfig } from "@mle/models";
import { openModel } from "./index.ts";

const mirror = testMirror();
const tmp = tempDir();
afterAll(tmp.cleanup);
const TRAINING: Record<string, unknown> = { epochs: 2, learningRate: 0.01, batchSize: 256 };

/**
 * Every family's registered example, trained briefly on real ML-100k data (with the release's content), saved and
 * served: what `pnpm recommend` and `pnpm serve` do with any model a config trains.
 */
describe.skipIf(!mirror)(`every model family serves through the same path (skips when ${noMirrorReason})`, () => {
  let train: TrainSet;
  let movieIds: Int32Array;
  let checksum: string;
  beforeAll(async () => {
    setQuiet(true);
    await initBackend();
    const { dataset } = await loadDataset("ml-100k", { mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
    const x = preprocess(dataset, { feedback: { kind: "implicit", minRating: 0 }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" });
    train = buildTrainSet(x, Uint32Array.from({ length: x.n }, (_, i) => i), { itemFeatures: itemFeatures(dataset, x), userFeatures: userFeatures(dataset, x) });
    movieIds = Int32Array.from(x.itemOf, (i) => dataset.itemIds[i]);
    checksum = dataset.checksum;
  });

  for (const [k, raw] of FAMILIES.flatMap((f) => f.examples).entries()) {
    const c: ModelConfig = modelConfigSchema.parse(raw);
    const name = `${k + 1}. ${"variant" in c ? `${c.family}/${c.variant}` : c.family} ${JSON.stringify(raw).slice(1, -1).replace(/"/g, "").replace(/family:\w+,?/, "")}`;
    it(`${name}: the served top 10 is the model's own ranking of the folded-in history, seen movies excluded`, async () => {
      const schema = trainingSchemaFor(c);
      const t = schema.parse(Object.fromEntries(Object.entries(TRAINING).filter(([k]) => schema.safeParse({ [k]: TRAINING[k] }).success)));
      const trained = await fitModel(train, c, { rng: new Rng(1), training: trainingOptions(t) });
      const dir = join(tmp.dir, `model-${k + 1}`);
      saveModel(dir, trained, c, t, { dataset: "ml-100k", datasetChecksum: checksum, splitHash: "all", seed: 1 }, movieIds);
      const { recommender: r } = await openModel(dir, { mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
      const rated = [{ movieId: 1, rating: 5 }, { movieId: 50, rating: 5 }, { movieId: 181, rating: 4 }, { movieId: 100, rating: 4 }];
      const { history } = r.history(rated);
      const exact = r.recommend(history, { k: 10, exact: true });
      expect(exact).toHaveLength(10);
      expect(exact.map((m) => m.movieId).filter((id) => [1, 50, 181, 100].includes(id))).toEqual([]);
      for (let k = 1; k < exact.length; k++) expect(exact[k].score).toBeLessThanOrEqual(exact[k - 1].score + 1e-6);
      // HNSW where the space has one (the exact path otherwise): its picks score at least the exact 10th best; ties
      // (content vectors repeat, briefly trained models saturate) may be broken either way.
      const served = r.recommend(history, { k: 10 });
      const tenth = exact[9].score - 1e-5 * Math.max(1, Math.abs(exact[9].score));
      expect(served.filter((m) => m.score >= tenth).length).toBeGreaterThanOrEqual(9);
      expect(served.map((m) => m.movieId).filter((id) => [1, 50, 181, 100].includes(id))).toEqual([]);
      expect(r.similar(1, 5)).toHaveLength(5);
    });
  }
});
