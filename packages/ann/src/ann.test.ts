import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { AnnIndex, EXPANSION_LADDER, calibrateSearch, exactTopK, measureAnn, type VectorSpace } from "./index.ts";

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

describe("identical vectors", () => {
  it("many items sharing a few vectors (content models): one graph node each, recall@10 stays at least 0.99", () => {
    // 3,000 items on 60 distinct points, as genres + year give: as separate nodes they cut HNSW's graph.
    const points = new Float32Array(60 * 8).map(() => rng.normal());
    const V = new Float32Array(3000 * 8);
    for (let i = 0; i < 3000; i++) V.set(points.subarray((i % 60) * 8, (i % 60 + 1) * 8), i * 8);
    const s: VectorSpace = { name: "dup", dim: 8, nItems: 3000, similarity: "dot", itemVectors: V };
    const index = AnnIndex.build(s);
    expect(measureAnn(index, s, queries(8, 50)).recall["recall@10"]).toBeGreaterThanOrEqual(0.99);
    const q = queries(8, 1)[0];
    const got = index.search(q, 120, [0, 60]);
    expect(got.length).toBe(120);
    expect(got.includes(0) || got.includes(60)).toBe(false);
    index.save(dir);
    expect(Array.from(AnnIndex.load(dir).search(q, 120, [0, 60]))).toEqual(Array.from(got));
  });
});

describe("Euclidean spaces written as dot products", () => {
  it("items [v, −‖v‖²/2] with large norms (the triplet net's): indexed as v under L2, recall@10 at least 0.99", () => {
    const d = 6;
    const raw = new Float32Array(2000 * d).map(() => rng.normal() * 8);
    const V = new Float32Array(2000 * (d + 1));
    for (let i = 0; i < 2000; i++) {
      let sq = 0;
      for (let f = 0; f < d; f++) (V[i * (d + 1) + f] = raw[i * d + f]), (sq += raw[i * d + f] ** 2);
      V[i * (d + 1) + d] = -sq / 2;
    }
    const s: VectorSpace = { name: "euclid", dim: d + 1, nItems: 2000, similarity: "dot", itemVectors: V };
    const users = Array.from({ length: 100 }, () => Float32Array.from({ length: d + 1 }, (_, f) => (f === d ? 1 : rng.normal() * 8)));
    const index = AnnIndex.build(s);
    expect(measureAnn(index, s, users).recall["recall@10"]).toBeGreaterThanOrEqual(0.99);
    index.save(dir);
    expect(Array.from(AnnIndex.load(dir).search(users[0], 10))).toEqual(Array.from(index.search(users[0], 10)));
    expect(() => index.search(Float32Array.from({ length: d + 1 }, () => 0), 10)).toThrow(/positive last component/);
  });
});

describe("efSearch calibration", () => {
  it("keeps the smallest efSearch that reaches the recall asked for at every k, saved for later loads; an unreachable target takes the largest and says so", () => {
    const s = space("dot", 3000, 16);
    const at = join(dir, "calibrated");
    AnnIndex.build(s, { connectivity: 16, expansionAdd: 200, expansionSearch: 400 }).save(at);
    const [tune, check] = [queries(s.dim, 60), queries(s.dim, 60)];
    const easy = calibrateSearch(at, s, tune, { 10: 0 });
    expect(easy).toMatchObject({ expansionSearch: EXPANSION_LADDER[0], reached: true, queries: 60 });
    expect(AnnIndex.load(at).options.expansionSearch).toBe(EXPANSION_LADDER[0]);

    const c = calibrateSearch(at, s, tune, { 10: 0.99, 50: 0.95 });
    expect(c.reached, JSON.stringify(c.tried)).toBe(true);
    expect(c.tried.at(-1)!.recall["recall@10"]).toBeGreaterThanOrEqual(0.99);
    expect(c.tried.at(-1)!.recall["recall@50"]).toBeGreaterThanOrEqual(0.95);
    expect(c.tried.length).toBeGreaterThan(1); // the smallest setting was not enough: the choice is a real one
    for (const t of c.tried.slice(0, -1)) expect(t.recall["recall@10"] < 0.99 || t.recall["recall@50"] < 0.95).toBe(true); // every smaller setting fell short
    expect(c.tried.map((t) => t.expansionSearch)).toEqual(EXPANSION_LADDER.slice(0, c.tried.length));
    const loaded = AnnIndex.load(at);
    expect(loaded.options.expansionSearch).toBe(c.expansionSearch);
    expect(measureAnn(loaded, s, check, [10]).recall["recall@10"]).toBeGreaterThan(0.95); // held-out queries: near the target

    const never = calibrateSearch(at, s, tune, { 10: 1.5 });
    expect(never).toMatchObject({ expansionSearch: EXPANSION_LADDER.at(-1), reached: false });
    expect(never.tried).toHaveLength(EXPANSION_LADDER.length);
  });
});

describe("inner-product graph", () => {
  it("a dot-product space indexed under the inner product: best dot products found, saved and loaded as such", () => {
    // Norms spread 10× (popular items long, the tail short), as in MF item spaces.
    const n = 3000;
    const d = 16;
    const V = new Float32Array(n * d).map(() => rng.normal());
    for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) V[i * d + f] *= 0.2 + 2 / Math.sqrt(1 + (i % 300));
    const s: VectorSpace = { name: "spread", dim: d, nItems: n, similarity: "dot", itemVectors: V };
    const ip = AnnIndex.build(s, { dotGraph: "inner-product", expansionSearch: 256 });
    expect(ip.graph).toBe("inner-product");
    expect(AnnIndex.build(s).graph).toBe("mips-l2");
    const qs = queries(d, 100);
    expect(measureAnn(ip, s, qs, [10]).recall["recall@10"]).toBeGreaterThanOrEqual(0.99);
    const at = join(dir, "ip");
    ip.save(at);
    const loaded = AnnIndex.load(at);
    expect(loaded.graph).toBe("inner-product");
    for (const q of qs.slice(0, 10)) expect(Array.from(loaded.search(q, 10))).toEqual(Array.from(ip.search(q, 10)));
  });
});
