import { describe, expect, it } from "vitest";
import { Rng, type EmbeddingModel } from "@mle/core";
import { scoreBlock, scoringSpace, topK } from "./scoring.ts";

const model = (dim: number, itemVectors: Float32Array, similarity: "dot" | "cosine" = "dot"): EmbeddingModel => ({
  name: "test", dim, nItems: itemVectors.length / dim, similarity, itemVectors, userVector: () => new Float32Array(dim),
});

describe("topK", () => {
  it("agrees with a naive stable sort on random scores with ties and exclusions", () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(400);
      const k = 1 + rng.int(60);
      const s = Float32Array.from({ length: n }, () => (rng.int(10) === 0 ? -Infinity : rng.int(20) / 4));
      const items = new Int32Array(k);
      const got = topK(s, 0, n, k, items, new Float32Array(k));
      const expected = [...s.keys()].filter((i) => s[i] !== -Infinity).sort((a, b) => s[b] - s[a] || a - b).slice(0, k);
      expect([...items.subarray(0, got)]).toEqual(expected);
    }
  });
});

describe("scoreBlock", () => {
  it("dense and sparse user vectors give the dot products with every item", () => {
    const rng = new Rng(9);
    const dim = 7;
    const nItems = 31;
    const iv = Float32Array.from({ length: dim * nItems }, () => rng.normal());
    const space = scoringSpace(model(dim, iv));
    const u = Float32Array.from({ length: dim }, () => rng.normal());
    const sparse = { indices: Int32Array.from([1, 4]), values: Float32Array.from([u[1], u[4]]) };
    const out = new Float32Array(2 * nItems);
    scoreBlock(space, [u, sparse], out);
    for (let i = 0; i < nItems; i++) {
      let dense = 0;
      for (let f = 0; f < dim; f++) dense += u[f] * iv[i * dim + f];
      expect(out[i]).toBeCloseTo(dense, 4);
      expect(out[nItems + i]).toBeCloseTo(u[1] * iv[i * dim + 1] + u[4] * iv[i * dim + 4], 4);
    }
  });

  it("cosine spaces rank by angle, not length", () => {
    const space = scoringSpace(model(2, Float32Array.from([10, 0, 1, 1, 0, 0.1]), "cosine"));
    const out = new Float32Array(3);
    scoreBlock(space, [Float32Array.from([0, 1])], out);
    expect(out[2]).toBeCloseTo(1, 6); // (0, 0.1) points exactly at the user
    expect(out[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(out[0]).toBeCloseTo(0, 6);
  });
});
