import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AnnIndex, exactTopK } from "@mle/ann";
import { loadModel, saveModel } from "../artifact.ts";
import { Rng, setQuiet } from "@mle/core";
import { initBackend } from "../engine/backend.ts";
import { fitModel, modelConfigSchema, restoreModel } from "../registry.ts";
import { groups } from "../test-fixtures.ts";

setQuiet(true);
beforeAll(async () => {
  await initBackend();
});
const { train, heldOut } = groups(300, 2);
const stages = {
  retrieval: { model: { family: "metric", variant: "cml", factors: 8, negatives: 5 }, training: { epochs: 10 } },
  rerank: { model: { family: "mf", variant: "bpr", factors: 8 }, training: { epochs: 10 } },
};
const fit = async (extra: Record<string, unknown> = {}) => {
  const c = modelConfigSchema.parse({ family: "pipeline", candidates: 12, ...stages, ...extra });
  return { c, ...(await fitModel(train, c, { rng: new Rng(3, "model"), training: { epochs: 1, learningRate: 0 } })) };
};

describe("two-stage pipeline", () => {
  it("user query: N candidates from the retrieval model's nearest items (the index matches exact search here), history left out; ranking space is the re-rank model's", async () => {
    const { c, model, state } = await fit();
    const cands = model.candidates!(heldOut);
    expect(cands.length).toBe(12);
    for (const i of heldOut.items) expect(cands.includes(i)).toBe(false);
    const retrieval = restoreModel(Object.fromEntries(Object.entries(state).filter(([k]) => k.startsWith("retrieval/")).map(([k, v]) => [k.slice(10), v])), c.family === "pipeline" ? c.retrieval.model : c);
    const exact = exactTopK(retrieval, retrieval.userVector(heldOut) as Float32Array, 12, heldOut.items);
    expect([...cands].sort((a, b) => a - b)).toEqual([...exact].sort((a, b) => a - b));
    expect(cands.every((i) => i >= 30)).toBe(true);
    expect(state.annRecallAt10).toBeGreaterThanOrEqual(0.99);
  });

  it("item-neighbours query: the union of each rated movie's neighbours, most proposed first, cut at N", async () => {
    const { model } = await fit({ query: "item-neighbours", neighbours: 5 });
    const cands = model.candidates!(heldOut);
    expect(cands.length).toBeGreaterThan(0);
    expect(cands.length).toBeLessThanOrEqual(12);
    for (const i of heldOut.items) expect(cands.includes(i)).toBe(false);
    expect(cands.filter((i) => i >= 30).length).toBeGreaterThanOrEqual(cands.length - 1);
  });

  it("restored from its state, it proposes the same candidates and scores the same", async () => {
    const { c, model, state } = await fit();
    const again = restoreModel(state, c);
    expect(Array.from(again.candidates!(heldOut))).toEqual(Array.from(model.candidates!(heldOut)));
    expect(Array.from(again.userVector(heldOut) as Float32Array)).toEqual(Array.from(model.userVector(heldOut) as Float32Array));
  });

  it("saved, its index lies beside the model (memory-mapped on load) and answers as the fitted one", async () => {
    const { c, model, state } = await fit();
    const dir = mkdtempSync(join(tmpdir(), "mle-pipeline-"));
    try {
      saveModel(dir, { model, state }, c, {}, { dataset: "test", datasetChecksum: "", splitHash: "", seed: 1 }, Int32Array.from({ length: 60 }, (_, i) => i + 1));
      const index = AnnIndex.load(join(dir, "ann"));
      const query = (model as unknown as { ann: AnnIndex }).ann;
      const u = Float32Array.from({ length: 9 }, (_, f) => (f === 8 ? 1 : 0.1 * f));
      expect(Array.from(index.search(u, 10))).toEqual(Array.from(query.search(u, 10)));
      expect(Array.from(loadModel(dir).model.candidates!(heldOut))).toEqual(Array.from(model.candidates!(heldOut)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a stage's training knob is checked against its own family, with the key path", () => {
    const r = modelConfigSchema.safeParse({ family: "pipeline", ...stages, rerank: { ...stages.rerank, training: { epochz: 3 } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(["rerank", "training"]);
    expect(r.error!.issues[0].message).toMatch(/epochz/);
  });
});
