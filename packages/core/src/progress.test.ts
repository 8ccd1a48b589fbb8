import { describe, expect, it } from "vitest";
import { duration, stepProgress } from "./progress.ts";

describe("stepProgress", () => {
  it("stays silent in a short pass, then prints at most one line per interval with the rate and the time left", () => {
    let clock = 1_000_000;
    const lines: string[] = [];
    const progress = stepProgress("Mult-DAE 600-200 epoch 1", "batches", 30_000, () => clock, (l) => lines.push(l));
    for (let k = 1; k <= 29; k++) (clock += 1000), progress(k, 120); // 29 s: nothing yet
    expect(lines).toEqual([]);
    (clock += 1000), progress(30, 120); // 30 s in: 1 batch/s, 90 left
    expect(lines).toEqual(["Mult-DAE 600-200 epoch 1: 30/120 batches (25.0%) in 30 s, 1.00 batches/s, 1 m 30 s left"]);
    (clock += 29_000), progress(59, 120);
    expect(lines).toHaveLength(1); // within the interval
    (clock += 1000), progress(60, 120);
    expect(lines[1]).toBe("Mult-DAE 600-200 epoch 1: 60/120 batches (50.0%) in 1 m 0 s, 1.00 batches/s, 1 m 0 s left");
  });

  it("formats durations from seconds to hours", () => {
    expect([duration(7.4), duration(75), duration(3599), duration(4000), duration(90_000)]).toEqual(["7 s", "1 m 15 s", "59 m 59 s", "1 h 6 m", "25 h 0 m"]);
  });
});
