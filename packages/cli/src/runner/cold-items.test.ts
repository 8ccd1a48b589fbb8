import { describe, expect, it } from "vitest";
import type { RankingTask } from "@mle/core";
import { coldTargetsTask } from "./cold-items.ts";

describe("coldTargetsTask", () => {
  // Three users; items 0..3 with 10, 5, 0 and 2 training users.
  const task: RankingTask = {
    nItems: 4, users: Int32Array.from([7, 8, 9]),
    historyOffsets: Uint32Array.from([0, 2, 3, 4]), historyItems: Int32Array.from([0, 1, 0, 1]), historyRatings: Float32Array.from([5, 4, 3, 2]), historyTimestamps: Uint32Array.from([1, 2, 3, 4]),
    targetOffsets: Uint32Array.from([0, 2, 3, 5]), targetItems: Int32Array.from([2, 0, 0, 3, 1]), targetRatings: Float32Array.from([4, 5, 1, 2, 3]),
    itemTrainUsers: Uint32Array.from([10, 5, 0, 2]), nTrainUsers: 20,
  };

  it("keeps only targets on items with at most the given training ratings, with each kept user's whole history", () => {
    const cold = coldTargetsTask(task, 5);
    expect(Array.from(cold.users)).toEqual([7, 9]); // user 8's only target (item 0, 10 ratings) is warm
    expect(Array.from(cold.targetItems)).toEqual([2, 3, 1]);
    expect(Array.from(cold.targetRatings)).toEqual([4, 2, 3]);
    expect(Array.from(cold.targetOffsets)).toEqual([0, 1, 3]);
    expect(Array.from(cold.historyItems)).toEqual([0, 1, 1]);
    expect(Array.from(cold.historyTimestamps)).toEqual([1, 2, 4]);
    expect(Array.from(cold.historyOffsets)).toEqual([0, 2, 3]);
  });

  it("a threshold of 0 keeps only items no training user touched", () => {
    expect(Array.from(coldTargetsTask(task, 0).targetItems)).toEqual([2]);
  });
});
