import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeComparisonReport } from "./comparison-report.ts";
import { writeRunReport, type RunSummary } from "./run-report.ts";

const dir = mkdtempSync(join(tmpdir(), "mle-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cell = (mean: number, n = 3) => ({ mean, ci95: [mean - 0.01, mean + 0.01] as [number, number], n });

function summary(o: Partial<RunSummary> = {}): RunSummary {
  return {
    experiment: "bpr", modelLine: "MF bpr (d = 64)", configFile: "configs/bpr.yaml", configHash: "abcdef0123456789", seeds: [1, 2],
    gitCommit: "0123456789abcdef", gitDirty: false, backend: "wasm", node: "v20", tracking: null, data: "ml-latest-small: …",
    split: { paragraph: "random", justification: "why" }, evaluationRationale: "full ranking",
    model: { architecture: "BPR", why: "because", training: "SGD" },
    hyperparameters: [["model.factors", "64"], ["training.learningRate", "0.01"]],
    training: {
      watched: "ndcg@10",
      seeds: [
        { seed: 1, epochsRun: 4, keptEpoch: 1, stoppedEarly: true, curve: [1, 2, 3, 4].map((e) => ({ epoch: e, loss: 1 / e, valid: 0.1 - e / 1000, alsoValid: { "ndcg@100": 0.3 + e / 100 } })) },
        { seed: 2, epochsRun: 3, keptEpoch: 3, stoppedEarly: false, curve: [1, 2, 3].map((e) => ({ epoch: e, loss: 1 / e, valid: 0.1 + e / 1000 })) },
      ],
    },
    fitSeconds: [1, 2], evaluateSeconds: [0.5, 0.5],
    results: { ks: [10], families: ["recall", "ndcg"], metrics: { "ndcg@10": cell(0.1), "recall@10": cell(0.12) }, usersEvaluated: 100 },
    references: [{ name: "popularity", metrics: { "ndcg@10": cell(0.09), "recall@10": cell(0.1) } }],
    examples: { seed: 1, k: 2, users: [{ user: "7", historySize: 3, history: ["Heat (1995) (5★)"], recommendations: [{ title: "Alien (1979)", hit: true }, { title: "Up (2009)", hit: false }] }] },
    ...o,
  };
}

describe("run report", () => {
  it("draws the learning curves, marks the kept epoch, and gives every hyperparameter its value", async () => {
    const out = join(dir, "iterative");
    mkdirSync(out);
    const files = await writeRunReport(summary(), out);
    expect(files).toEqual(["learning-curve.svg", "report.md"]);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("| 1 | stopped early after 4; kept epoch 1 | 1.0000 | 0.0990 |");
    expect(md).toContain("| 2 | ran all 3 | 0.3333 | 0.1030 |");
    expect(md).toContain("| `training.learningRate` | 0.01 |");
    expect(md).toContain("![learning curves](learning-curve.svg)");
    expect(readFileSync(join(out, "learning-curve.svg"), "utf8")).toContain("validation ndcg@100");
    expect(md).not.toContain("no iterative training");
    expect(md).toMatch(/\| popularity \| 0\.0900 ± 0\.0100 \| 0\.1000 ± 0\.0100 \|/);
    expect(md).toContain("**Alien (1979)** ✓ · Up (2009)");
    const svg = readFileSync(join(out, "learning-curve.svg"), "utf8");
    expect(svg).toContain("validation ndcg@10");
    expect(svg).toContain("training loss");
  });

  it("says so when a model has no iterative training, and draws nothing", async () => {
    const out = join(dir, "closed-form");
    mkdirSync(out);
    await writeRunReport(summary({ training: null, references: [] }), out);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("This model has no iterative training, so there is no learning curve.");
    expect(existsSync(join(out, "learning-curve.svg"))).toBe(false);
    expect(md).not.toContain("reference models");
  });
});

describe("comparison report", () => {
  it("marks the best model, pairs against EASE, and names the iterative models' learning curves", async () => {
    const run = (name: string, ndcg: number, iterative: boolean) => ({
      name, config: `configs/${name}.yaml`, modelLine: name, metrics: { "ndcg@10": cell(ndcg), "recall@10": cell(ndcg) }, fitSeconds: [1], where: "not tracked",
      backend: "wasm", configHash: "abc", manifests: ["m1"], iterative, vsBest: null, vsEase: null,
    });
    const file = await writeComparisonReport({
      name: "cmp", seeds: [1], overrides: [], primary: "ndcg@10", columns: ["recall@10", "ndcg@10"], ks: [10], discussion: "EASE wins here.\n",
      runs: [
        { ...run("ease", 0.3, false), vsBest: "best", vsEase: "ease" },
        { ...run("content", 0.05, true), coldMetrics: { "recall@10": cell(0.04), "ndcg@10": cell(0.02) }, vsBest: null, vsEase: null },
        { ...run("bpr", 0.2, true), validCurves: [[0.1, 0.15, 0.14], [0.11, NaN]], vsBest: { meanDifference: -0.1, tPValue: 1e-5, wilcoxonPValue: 2e-5, effectSize: -0.4, users: 600, tPValueHolm: 2e-5, wilcoxonPValueHolm: 4e-5 }, vsEase: { meanDifference: -0.1, tPValue: 1e-5, wilcoxonPValue: 2e-5, effectSize: -0.4, users: 600, tPValueHolm: 2e-5, wilcoxonPValueHolm: 4e-5 } },
      ],
    }, dir);
    const md = readFileSync(file, "utf8");
    expect(md).toContain("**0.3000 ± 0.0100**");
    expect(md).toContain("| bpr | Δ -0.1000, t p = 1.0e-5 (Holm p = 2.0e-5), Wilcoxon p = 2.0e-5 (Holm p = 4.0e-5), d_z = -0.40, 600 users |");
    expect(md).toContain("curves of content, bpr");
    expect(md).toContain("## Discussion\n\nEASE wins here.\n");
    // The comparison's own panel: validation curves of the runs that watched the primary metric.
    expect(md).toContain("![validation ndcg@10 by epoch](cmp/learning-curves.svg)");
    expect(readFileSync(join(dir, "cmp", "learning-curves.svg"), "utf8")).toContain("<svg");
    // Cold-start figures only for the runs that measured them.
    expect(md).toContain("| content | 0.0400 ± 0.0100 | 0.0200 ± 0.0100 |");
    expect(md).not.toMatch(/## Cold items[^#]*\| bpr \|/);
    expect(existsSync(join(dir, "cmp", "recall-at-k.svg"))).toBe(true);
    expect(existsSync(join(dir, "cmp", "ndcg-at-k.svg"))).toBe(false); // one K: no curve to draw
    // Quality against training time: one labelled point per model.
    expect(md).toContain("![ndcg@10 against training time](cmp/quality-vs-time.svg)");
    const scatter = readFileSync(join(dir, "cmp", "quality-vs-time.svg"), "utf8");
    for (const name of ["ease", "content", "bpr"]) expect(scatter).toContain(`>${name}</text>`);
  });

  it("draws NDCG@K beside recall@K when there are several cut-offs", async () => {
    const metrics = { "recall@10": cell(0.2), "recall@20": cell(0.3), "ndcg@10": cell(0.25), "ndcg@20": cell(0.27) };
    const file = await writeComparisonReport({
      name: "cmp-k", seeds: [1], overrides: [], primary: "ndcg@10", columns: ["recall@10", "ndcg@10"], ks: [10, 20],
      runs: [{ name: "ease", config: "configs/ease.yaml", modelLine: "ease", metrics, fitSeconds: [1], where: "not tracked", backend: "wasm", configHash: "abc", manifests: ["m1"], iterative: false, vsBest: "best", vsEase: "ease" }],
    }, dir);
    expect(readFileSync(file, "utf8")).toContain("![ndcg@K](cmp-k/ndcg-at-k.svg)");
    expect(readFileSync(join(dir, "cmp-k", "ndcg-at-k.svg"), "utf8")).toContain("ndcg@K");
  });
});
