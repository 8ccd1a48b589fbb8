import { describe, expect, it } from "vitest";
import { CoverageCounter } from "./coverage.ts";
import { hitRate } from "./hit-rate.ts";
import { averagePrecision } from "./map.ts";
import { reciprocalRankAt, reciprocalRankFull } from "./mrr.ts";
import { ndcg } from "./ndcg.ts";
import { novelty, selfInformation } from "./novelty.ts";
import { precision } from "./precision.ts";
import type { RankedList } from "./ranked-list.ts";
import { recall, recallLiang } from "./recall.ts";

/** A ranked list from 0/1 (or graded) gains and the relevant set's gains. */
const list = (gains: number[], ideal: number[]): RankedList => ({
  gains: Float64Array.from(gains), length: gains.length, nRelevant: ideal.length, idealGains: Float64Array.from(ideal).sort().reverse(),
});

// Recommended a, b, c, d, e; relevant {b, d, x}: hits at ranks 2 and 4; x was not recommended.
const l = list([0, 1, 0, 1, 0], [1, 1, 1]);

describe("ranking metrics, computed by hand", () => {
  it("recall and Liang's recall differ only when |relevant| > K", () => {
    expect(recall(l, 3)).toBeCloseTo(1 / 3, 12);
    expect(recallLiang(l, 3)).toBeCloseTo(1 / 3, 12);
    expect(recall(l, 5)).toBeCloseTo(2 / 3, 12);
    const many = list([1, 0], [1, 1, 1, 1, 1]); // 5 relevant, K = 2, one hit
    expect(recall(many, 2)).toBeCloseTo(1 / 5, 12);
    expect(recallLiang(many, 2)).toBeCloseTo(1 / 2, 12);
  });

  it("precision divides by K even when the list is shorter", () => {
    expect(precision(l, 3)).toBeCloseTo(1 / 3, 12);
    expect(precision(list([1], [1]), 10)).toBeCloseTo(0.1, 12);
  });

  it("ndcg with binary and graded gain", () => {
    // DCG@3 = 1/log2(3); IDCG@3 = 1 + 1/log2(3) + 1/log2(4)
    expect(ndcg(l, 3)).toBeCloseTo(0.63092975357 / 2.13092975357, 10);
    expect(ndcg(list([1, 1, 1], [1, 1, 1]), 3)).toBe(1);
    // graded: list gains 3 then 5; ideal 5, 3 → (3 + 5/log2 3) / (5 + 3/log2 3)
    expect(ndcg(list([3, 5], [5, 3]), 2)).toBeCloseTo((3 + 5 / Math.log2(3)) / (5 + 3 / Math.log2(3)), 12);
  });

  it("average precision normalises by min(K, |relevant|)", () => {
    // precision at the hits: 1/2 (rank 2) and 2/4 (rank 4) → (0.5 + 0.5) / min(5, 3)
    expect(averagePrecision(l, 5)).toBeCloseTo(1 / 3, 12);
    expect(averagePrecision(l, 1)).toBe(0);
    expect(averagePrecision(list([1, 1], [1, 1, 1, 1]), 2)).toBe(1);
  });

  it("reciprocal rank in the top K, and hit rate", () => {
    expect(reciprocalRankAt(l, 5)).toBe(0.5);
    expect(reciprocalRankAt(l, 1)).toBe(0);
    expect(hitRate(l, 1)).toBe(0);
    expect(hitRate(l, 2)).toBe(1);
  });

  it("full-ranking reciprocal rank breaks ties by lower index and skips excluded items", () => {
    const scores = Float32Array.from([9, -Infinity, 3, 7, 3]);
    expect(reciprocalRankFull(scores, 0, 5, [4])).toBeCloseTo(1 / 4, 12); // 0 (9), 3 (7), 2 (3, lower index) above it
    expect(reciprocalRankFull(scores, 0, 5, [2, 4])).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRankFull(scores, 0, 5, [1])).toBe(0); // only an excluded item
  });

  it("coverage counts distinct recommended items over the catalogue", () => {
    const c = new CoverageCounter(10);
    c.add(Int32Array.from([1, 2, 3]), 3, 2);
    c.add(Int32Array.from([2, 5, 6]), 3, 2);
    expect(c.coverage()).toBeCloseTo(3 / 10, 12); // items 1, 2, 5
  });

  it("novelty is the mean self-information of the recommended items", () => {
    const info = selfInformation(Uint32Array.from([50, 25, 0]), 100);
    expect([...info]).toEqual([1, 2, -Math.log2(1 / 101)]);
    expect(novelty(Int32Array.from([0, 1, 2]), 3, 2, info)).toBe(1.5);
  });
});
