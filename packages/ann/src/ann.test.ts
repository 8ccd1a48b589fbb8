import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { AnnIndex, exactTopK, measureAnn, type VectorSpace } from "./index.ts";

const rng = new Rng(7);
const space = (similarity: "dot" | "cosine", n = 2000, d = 16): VectorSpace => ({ name: "test", dim: d, nItems: n, similarity, itemVectors: new Float32Array(n * d).map(() => rng.normal() * (0.5 + rng.nextFloat())) });
const queries = (d: number, n = 100) => Array.from({ length: n }, () => new Float32Array(d).map(() => rng.normal()));
const dir = mkdtempSync(join(tmpdir(), "mle-ann-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("HNSW index over item vectors", () => {
  for (const sim of ["dot", "cosine"] as const) {
    it(`${sim}: recall@10 against exact search is at least 0.99, and the measurement reports it`, () => {
      const s = space(sim);
      const m = measureAnn(AnnIndex.build(s), s, queries(s.dim));
      expect(m.recall["recall@10"]).toBeGreaterThanOrEqual(0.99);
      expect(m.recall["recall@100"]).toBeGreaterThan(0.9);
      expect(m.queries).toBe(100);
      expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms);
    });
  }

  it("excluded items never come back, and k results remain", () => {
    const s = space("dot");
    const index = AnnIndex.build(s);
    const q = queries(s.dim, 1)[0];
    const first = exactTopK(s, q, 20);
    const got = index.search(q, 10, first.subarray(0, 5));
    expect(got.length).toBe(10);
    for (const i of first.subarray(0, 5)) expect(got.includes(i)).toBe(false);
  });

  it("saved and loaded memory-mapped, it answers as built; the same vectors build the same graph", () => {
    const s = space("dot", 500);
    const index = AnnIndex.build(s, { connectivity: 8 });
    index.save(dir);
    const loaded = AnnIndex.load(dir);
    const again = AnnIndex.build(s, { connectivity: 8 });
    expect(loaded.size).toBe(500);
    for (const q of queries(s.dim, 20)) {
      expect(Array.from(loaded.search(q, 10))).toEqual(Array.from(index.search(q, 10)));
      expect(Array.from(again.search(q, 10))).toEqual(Array.from(index.search(q, 10)));
    }
  });

  it("a folder without an index is a clear error", () => {
    expect(() => AnnIndex.load(join(dir, "nothing"))).toThrow(/no ANN index/);
  });
});

describe("recall against exact search", () => {
  it("counts an item tied with the k-th best as found (repeated content vectors), and a worse one as missed", () => {
    // Items 0–4 share one vector; item 5 is worse. Any 2 of items 0–4 are a perfect top-2.
    const V = new Float32Array(6 * 2);
    for (let i = 0; i < 5; i++) V.set([1, 0], i * 2);
    V.set([0.5, 0], 10);
    const s: VectorSpace = { name: "ties", dim: 2, nItems: 6, similarity: "dot", itemVectors: V };
    const q = Float32Array.of(1, 0);
    const fake = (items: number[]) => ({ search: () => Int32Array.from(items) }) as unknown as AnnIndex;
    expect(measureAnn(fake([4, 3]), s, [q], [2]).recall["recall@2"]).toBe(1);
    expect(measureAnn(fake([4, 5]), s, [q], [2]).recall["recall@2"]).toBe(0.5);
  });
});
