import { describe, expect, it } from "vitest";
import { UserError } from "@mle/core";
import { preprocess, type PreprocessOptions } from "./interactions.ts";
import { tinyDataset } from "./test-fixtures.ts";

const explicit: PreprocessOptions = { feedback: { kind: "explicit" }, kCore: { users: 0, items: 0 }, duplicates: "keep-last" };

describe("preprocess", () => {
  it("keeps the latest of duplicate ratings (or the first, or fails)", () => {
    const d = tinyDataset([[0, 0, 1, 10], [0, 0, 5, 30], [0, 1, 3, 5], [0, 0, 2, 20]]);
    const last = preprocess(d, explicit);
    expect(last.report.duplicatesRemoved).toBe(2);
    expect([...last.rating]).toEqual([5, 3]);
    const first = preprocess(d, { ...explicit, duplicates: "keep-first" });
    expect([...first.rating]).toEqual([1, 3]);
    expect(() => preprocess(d, { ...explicit, duplicates: "error" })).toThrow(/user 1 rated movie 1 more than once/);
  });

  it("implicit feedback keeps ratings at or above the threshold", () => {
    const d = tinyDataset([[0, 0, 3.5, 1], [0, 1, 4, 2], [1, 1, 5, 3], [1, 0, 1, 4]]);
    const x = preprocess(d, { ...explicit, feedback: { kind: "implicit", minRating: 4 } });
    expect(x.n).toBe(2);
    expect(x.report.belowThreshold).toBe(2);
    expect(x.feedback).toBe("implicit");
    // item 0 lost every interaction: items are re-indexed and map back
    expect([x.nUsers, x.nItems]).toEqual([2, 1]);
    expect([...x.itemOf]).toEqual([1]);
  });

  it("k-core is iterative: removing a user can push an item below k", () => {
    // user 2 has one rating (item 2); item 2's other rating is by user 0.
    const d = tinyDataset([[0, 0, 5, 1], [0, 1, 5, 1], [0, 2, 5, 1], [1, 0, 5, 1], [1, 1, 5, 1], [2, 2, 5, 1]]);
    const x = preprocess(d, { ...explicit, kCore: { users: 2, items: 2 } });
    expect(x.report.kCoreRounds).toBeGreaterThan(1);
    expect([x.nUsers, x.nItems, x.n]).toEqual([2, 2, 4]);
    const cu = new Map<number, number>();
    const ci = new Map<number, number>();
    for (let i = 0; i < x.n; i++) (cu.set(x.user[i], (cu.get(x.user[i]) ?? 0) + 1), ci.set(x.item[i], (ci.get(x.item[i]) ?? 0) + 1));
    expect(Math.min(...cu.values(), ...ci.values())).toBeGreaterThanOrEqual(2);
  });

  it("a dataset empty after filtering is a clear error", () => {
    const d = tinyDataset([[0, 0, 1, 1], [1, 1, 2, 1]]);
    const run = () => preprocess(d, { ...explicit, feedback: { kind: "implicit", minRating: 4 } });
    expect(run).toThrow(UserError);
    expect(run).toThrow(/tiny is empty after preprocessing \(0 duplicates, 2 below the rating threshold/);
  });
});
