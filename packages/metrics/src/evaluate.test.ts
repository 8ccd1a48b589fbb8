import { describe, expect, it } from "vitest";
import { setQuiet, type EmbeddingModel, type RankingTask } from "@mle/core";
import { evaluateRanking, evaluateRatings } from "./evaluate.ts";
import { lowerIsBetter, metricNames, parseMetric, perUserMetricNames } from "./registry.ts";

setQuiet(true);
/** One-dimensional items with fixed scores 5, 4, 3, 3, 1; every user vector is [1]. */
const fixed: EmbeddingModel = {
  name: "fixed", dim: 1, nItems: 5, similarity: "dot", itemVectors: Float32Array.from([5, 4, 3, 3, 1]),
  userVector: () => Float32Array.from([1]),
  predictRatings: (_h, items) => Float32Array.from(items, (i) => [5, 4, 3, 3, 1][i]),
};
const csr = (lists: number[][]) => {
  const offsets = new Uint32Array(lists.length + 1);
  lists.forEach((l, u) => (offsets[u + 1] = offsets[u] + l.length));
  return { offsets, items: Int32Array.from(lists.flat()) };
};
function task(history: number[][], targets: number[][], targetRatings?: number[][]): RankingTask {
  const h = csr(history);
  const t = csr(targets);
  return {
    nItems: 5, users: Int32Array.from(history.keys()),
    historyOffsets: h.offsets, historyItems: h.items, historyRatings: new Float32Array(h.items.length).fill(4), historyTimestamps: new Uint32Array(h.items.length),
    targetOffsets: t.offsets, targetItems: t.items, targetRatings: Float32Array.from(targetRatings ? targetRatings.flat() : t.items.map(() => 5)),
    itemTrainUsers: Uint32Array.from([4, 3, 2, 1, 0]), nTrainUsers: 4,
  };
}

describe("evaluateRanking", () => {
  it("a two-stage model: its candidates ranked first by its own scores, every other item after them in score order; candidate recall", async () => {
    // Scores 5, 4, 3, 3, 1; the first stage proposes 4 and 2 (history 0 excluded). Final order: 2, 4, then 1, 3.
    const staged: EmbeddingModel = { ...fixed, candidates: () => Int32Array.of(4, 2) };
    const r = await evaluateRanking(staged, task([[0]], [[4, 3]]), { k: [2, 4] });
    expect([...r.topItems.subarray(0, 4)]).toEqual([2, 4, 1, 3]);
    expect(r.perUser["recall@2"][0]).toBe(0.5);
    expect(r.perUser.mrr[0]).toBe(1 / 2);
    expect(r.perUser.candidate_recall[0]).toBe(0.5);
    expect((await evaluateRanking(fixed, task([[0]], [[4, 3]]), { k: [2] })).perUser.candidate_recall).toBeUndefined();
  });
  it("ranks only the candidates when given (the item cold-start protocol), history still excluded", async () => {
    // Candidates 2, 3, 4 (the cold items); user 0 saw item 2: ranking 3, 4; target 3 → rank 1, not 3.
    const r = await evaluateRanking(fixed, task([[2]], [[3]]), { k: [1, 3], candidates: Uint8Array.from([0, 0, 1, 1, 1]) });
    expect([...r.topItems.subarray(0, 3)]).toEqual([3, 4, -1]);
    expect(r.perUser["recall@1"][0]).toBe(1);
    expect(r.perUser.mrr[0]).toBe(1);
  });
  it("excludes history, breaks ties by item index, and computes every metric per user", async () => {
    // user 0: saw item 0; ranking 1, 2, 3, 4 (2 and 3 tie at 3: 2 first); target item 3 → rank 3
    const r = await evaluateRanking(fixed, task([[0]], [[3]]), { k: [2, 3] });
    expect([...r.topItems.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(r.perUser["recall@2"][0]).toBe(0);
    expect(r.perUser["recall@3"][0]).toBe(1);
    expect(r.perUser.mrr[0]).toBeCloseTo(1 / 3, 12);
    expect(r.perUser["ndcg@3"][0]).toBeCloseTo(1 / Math.log2(4), 12);
    expect(r.perUser["precision@3"][0]).toBeCloseTo(1 / 3, 12);
    expect(r.aggregate["coverage@2"]).toBeCloseTo(2 / 5, 12);
  });

  it("a target already in the history cannot be recommended", async () => {
    const r = await evaluateRanking(fixed, task([[0, 1]], [[1, 4]]), { k: [3] });
    expect([...r.topItems.subarray(0, 3)]).toEqual([2, 3, 4]);
    expect(r.perUser["hit_rate@3"][0]).toBe(1); // item 4 at rank 3
    expect(r.perUser["recall@3"][0]).toBe(0.5); // item 1 is relevant but excluded: it still counts in |R|
  });

  it("users without relevant targets are counted apart, not averaged in", async () => {
    const r = await evaluateRanking(fixed, task([[0], [1], [2]], [[1], [3], []], [[5], [2], []]), { k: [1], relevantMinRating: 4 });
    expect(r.usersWithoutRelevant).toBe(2);
    expect([...r.users]).toEqual([0]);
    expect(r.perUser["hit_rate@1"].length).toBe(1);
  });

  it("RMSE and MAE over every target of a rating model", async () => {
    const e = evaluateRatings(fixed, task([[0], [1]], [[1, 2], [4]], [[5, 2], [2]]))!;
    // predictions 4, 3, 1 vs 5, 2, 2 → errors −1, 1, −1
    expect(e.rmse).toBeCloseTo(1, 12);
    expect(e.mae).toBeCloseTo(1, 12);
    expect(e.n).toBe(3);
  });
});

describe("the metric registry", () => {
  it("names every metric evaluation computes, and knows which direction is better", async () => {
    const r = await evaluateRanking(fixed, task([[0]], [[3]]), { k: [2, 3] });
    expect(Object.keys(r.perUser)).toEqual(perUserMetricNames([2, 3]));
    for (const name of [...Object.keys(r.perUser), ...Object.keys(r.aggregate), "rmse", "mae"]) expect(metricNames([2, 3])).toContain(name);
    expect(parseMetric("ndcg@10")).toMatchObject({ def: { name: "ndcg", atK: true }, k: 10 });
    expect(parseMetric("mrr")).toMatchObject({ def: { name: "mrr", atK: false } });
    expect(parseMetric("ndcg")).toBeUndefined();
    expect(lowerIsBetter("rmse") && !lowerIsBetter("ndcg@10")).toBe(true);
  });
});
