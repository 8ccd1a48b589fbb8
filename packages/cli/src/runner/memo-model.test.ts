import { describe, expect, it } from "vitest";
import type { EmbeddingModel } from "@mle/core";
import { memoizeUserVectors } from "./memo-model.ts";

describe("memoizeUserVectors", () => {
  it("folds each distinct history in once, telling histories apart by items and ratings", () => {
    let calls = 0;
    const model: EmbeddingModel = {
      name: "probe", dim: 1, nItems: 3, similarity: "dot", itemVectors: Float32Array.of(1, 2, 3),
      userVector: (h) => (calls++, Float32Array.of(h.items.length + h.ratings[0])),
    };
    const m = memoizeUserVectors(model);
    const h = { items: Int32Array.of(0, 2), ratings: Float32Array.of(4, 5) };
    expect(m.userVector(h)).toEqual(Float32Array.of(6));
    expect(m.userVector({ items: Int32Array.of(0, 2), ratings: Float32Array.of(4, 5) })).toEqual(Float32Array.of(6));
    expect(calls).toBe(1);
    expect(m.userVector({ items: Int32Array.of(0, 2), ratings: Float32Array.of(1, 5) })).toEqual(Float32Array.of(3));
    expect(m.userVector({ items: Int32Array.of(0, 1), ratings: Float32Array.of(4, 5) })).toEqual(Float32Array.of(6));
    expect(calls).toBe(3);
  });
});
