import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { bootstrapCi, bootstrapCis } from "./bootstrap.ts";
import { normalSf, studentTIsf, studentTSf } from "./distributions.ts";
import { holmAdjust } from "./holm.ts";
import { pairedTTest, wilcoxonSignedRank } from "./paired.ts";
import { summarize } from "./summary.ts";

/** SciPy computes the same statistics independently; without it (a fresh machine) these skip, in CI they must run. */
function scipy(script: string, input: unknown): unknown {
  const r = spawnSync(process.env.BENCH_PYTHON ?? "python3", ["-c", `import json, sys\nimport numpy as np\nfrom scipy import stats\nx = json.load(sys.stdin)\n${script}`], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
const hasScipy = spawnSync(process.env.BENCH_PYTHON ?? "python3", ["-c", "import scipy"]).status === 0;
if (!hasScipy && process.env.CI) throw new Error("CI needs SciPy for the statistics tests (pip install scipy)");

const rng = new Rng(17);
const a = Array.from({ length: 300 }, () => Math.round(rng.nextFloat() * 10) / 10); // ties, like per-user recall
const b = a.map((x) => Math.min(1, Math.max(0, x + Math.round((rng.normal() * 0.15 + 0.02) * 10) / 10)));

describe("statistics", () => {
  it("hand-checked: a t interval and p-values of textbook cases", () => {
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 12);
    expect(studentTIsf(0.025, 4)).toBeCloseTo(2.7764451051977987, 9);
    const s = summarize([0.40, 0.42, 0.44]);
    expect(s.mean).toBeCloseTo(0.42, 12);
    expect(s.std).toBeCloseTo(0.02, 12);
    expect(s.ci95[1] - s.mean).toBeCloseTo(4.302652729911275 * 0.02 / Math.sqrt(3), 9);
    expect(summarize([0.5]).ci95).toEqual([0.5, 0.5]);
  });

  it.skipIf(!hasScipy)("t and normal tails agree with SciPy", () => {
    const pts = [[0.3, 2], [1.7, 9], [-2.5, 30], [4.1, 299]];
    const ref = scipy("print(json.dumps([[float(stats.t.sf(t, df)), float(stats.norm.sf(t))] for t, df in x]))", pts) as number[][];
    pts.forEach(([t, df], i) => {
      expect(studentTSf(t, df)).toBeCloseTo(ref[i][0], 12);
      expect(normalSf(t)).toBeCloseTo(ref[i][1], 12);
    });
  });

  it.skipIf(!hasScipy)("paired t-test and Wilcoxon signed-rank agree with SciPy on tied, per-user-like data", () => {
    const ref = scipy(
      "t = stats.ttest_rel(x['a'], x['b']); w = stats.wilcoxon(x['a'], x['b'], method='approx')\n" +
      "print(json.dumps([float(t.statistic), float(t.pvalue), float(w.statistic), float(w.pvalue)]))", { a, b },
    ) as number[];
    const t = pairedTTest(a, b);
    expect(t.statistic).toBeCloseTo(ref[0], 9);
    expect(t.pValue).toBeCloseTo(ref[1], 12);
    const w = wilcoxonSignedRank(a, b);
    expect(w.statistic).toBe(ref[2]);
    expect(w.pValue).toBeCloseTo(ref[3], 12);
  });

  it.skipIf(!hasScipy)("the seed interval agrees with SciPy's t interval", () => {
    const v = [0.4412, 0.4387, 0.4501, 0.4455, 0.4398];
    const ref = scipy("m = np.mean(x); print(json.dumps(list(stats.t.interval(0.95, len(x) - 1, loc=m, scale=stats.sem(x)))))", v) as number[];
    const s = summarize(v);
    expect(s.ci95[0]).toBeCloseTo(ref[0], 12);
    expect(s.ci95[1]).toBeCloseTo(ref[1], 12);
  });

  it("bootstrap interval is seeded and brackets the mean", () => {
    const ci = bootstrapCi(a, 1);
    expect(bootstrapCi(a, 1)).toEqual(ci);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(ci[0]).toBeLessThan(mean);
    expect(ci[1]).toBeGreaterThan(mean);
    // the normal-theory half-width is about 1.96·s/√n; the bootstrap's should be close
    const sd = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / (a.length - 1));
    expect((ci[1] - ci[0]) / 2).toBeCloseTo((1.96 * sd) / Math.sqrt(a.length), 2);
  });

  it("several columns share one set of resamples: each gets the interval it would get alone", () => {
    const b = a.map((x, i) => x * x + (i % 3));
    expect(bootstrapCis([a, b], 7)).toEqual([bootstrapCi(a, 7), bootstrapCi(b, 7)]);
    expect(() => bootstrapCis([a, b.slice(1)], 7)).toThrow(/different lengths/);
  });
});

describe("Holm's adjustment", () => {
  it("worked example: steps down, keeps the order with running maxima, caps at 1, leaves NaN out of m", () => {
    // sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → max(0.06, 0.04) = 0.06
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 15));
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
    const withNaN = holmAdjust([0.01, NaN, 0.02]);
    expect(withNaN[0]).toBeCloseTo(0.02, 15);
    expect(withNaN[1]).toBeNaN();
    expect(withNaN[2]).toBeCloseTo(0.02, 15);
    expect(holmAdjust([])).toEqual([]);
  });
});
