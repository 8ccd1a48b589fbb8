import { afterAll, describe, expect, it } from "vitest";
import { Rng, isSparse, setQuiet, userLists, type EmbeddingModel, type History, type UserVector } from "@mle/core";
import { tempDir } from "@mle/core/testing";
import { loadModel, saveModel } from "./artifact.ts";
import { trainingOptions } from "./engine/training.ts";
import { FAMILIES, fitModel, modelConfigSchema, trainingSchemaFor, type ModelConfig } from "./registry.ts";
import { groups } from "./test-fixtures.ts";

setQuiet(true);
const tmp = tempDir();
afterAll(tmp.cleanup);

const TRAINING: Record<string, unknown> = { epochs: 3, learningRate: 0.05, optimizer: "sgd", batchSize: 32 };

const bytes = (v: UserVector) => (isSparse(v) ? [Buffer.from(v.indices.buffer).toString("hex"), Buffer.from(v.values.buffer).toString("hex")] : [Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")]);

describe("save → load gives the same model, bit for bit", () => {
  it("every registered family names at least one example to round-trip", () => {
    expect(FAMILIES.filter((f) => f.examples.length === 0).map((f) => f.family)).toEqual([]);
  });

  const { train, heldOut } = groups(60, 4);
  const lists = userLists(train);
  const trainedUser: History = { items: lists.items.subarray(lists.offsets[3], lists.offsets[4]), ratings: lists.ratings.subarray(lists.offsets[3], lists.offsets[4]) };
  for (const raw of FAMILIES.flatMap((f) => f.examples)) {
    const c: ModelConfig = modelConfigSchema.parse(raw);
    const name = "variant" in c ? `${c.family}/${c.variant}` : c.family;
    it(`${name}: item vectors, fold-in of a new user, a training user's vector and predicted ratings`, async () => {
      const schema = trainingSchemaFor(c);
      const knobs = Object.fromEntries(Object.entries(TRAINING).filter(([k]) => schema.safeParse({ [k]: TRAINING[k] }).success));
      const t = schema.parse(knobs);
      const trained = await fitModel(train, c, { rng: new Rng(5, "model"), training: trainingOptions(t) });
      const dir = `${tmp.dir}/${name.replace("/", "-")}`;
      const movieIds = Int32Array.from({ length: train.nItems }, (_, i) => 1000 + i);
      saveModel(dir, trained, c, t, { dataset: "synthetic", datasetChecksum: "x", splitHash: "y", seed: 5 }, movieIds);
      const loaded = loadModel(dir);
      const [a, b]: EmbeddingModel[] = [trained.model, loaded.model];
      expect([b.dim, b.nItems, b.similarity]).toEqual([a.dim, a.nItems, a.similarity]);
      expect(Buffer.from(b.itemVectors.buffer, b.itemVectors.byteOffset, b.itemVectors.byteLength).equals(Buffer.from(a.itemVectors.buffer, a.itemVectors.byteOffset, a.itemVectors.byteLength))).toBe(true);
      for (const h of [heldOut, trainedUser]) expect(bytes(b.userVector(h))).toEqual(bytes(a.userVector(h)));
      if (a.predictRatings) expect(b.predictRatings!(heldOut, Int32Array.of(1, 31, 59))).toEqual(a.predictRatings(heldOut, Int32Array.of(1, 31, 59)));
      expect(loaded.movieIds).toEqual(movieIds);
      expect(loaded.manifest).toMatchObject({ family: c.family, model: c, splitHash: "y", seed: 5 });
    });
  }

  it("a folder that is not a model is a clear error", () => {
    expect(() => loadModel(tmp.dir)).toThrow(/is not a saved model/);
  });
});
