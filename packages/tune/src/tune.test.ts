import { describe, expect, it } from "vitest";
import { Rng } from "@mle/core";
import { GridSampler, MedianPruner, RandomSampler, TpeSampler, searchSpaceSchema, type Params, type Sampler, type ScoredTrial } from "./index.ts";

const space = searchSpaceSchema.parse({
  "training.learningRate": { float: [1e-4, 1], log: true },
  "model.factors": { int: [8, 256], log: true },
  "model.dropout": { float: [0, 0.9] },
  "model.loss": { choice: ["ce", "bce", "sampled"] },
});

/** A known optimum: learning rate 0.01, 64 factors, dropout 0.2, loss "ce"; the score falls off smoothly around it. */
function objective(p: Params): number {
  const lr = Math.log10(p["training.learningRate"] as number) + 2;
  const f = Math.log2(p["model.factors"] as number) - 6;
  const d = (p["model.dropout"] as number) - 0.2;
  return -(lr * lr) - 0.5 * f * f - 4 * d * d - (p["model.loss"] === "ce" ? 0 : 1);
}

function bestAfter(sampler: Sampler, budget: number): number {
  const done: ScoredTrial[] = [];
  for (let t = 0; t < budget; t++) {
    const params = sampler.suggest(done)!;
    done.push({ params, score: objective(params) });
  }
  return Math.max(...done.map((t) => t.score));
}

describe("search spaces", () => {
  it("a bad space names the parameter and what is wrong", () => {
    const bad = (s: unknown) => {
      const r = searchSpaceSchema.safeParse(s);
      return r.success ? "" : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    };
    expect(bad({ "model.l2": { float: [0, 1], log: true } })).toMatch(/model\.l2: a log scale needs lo > 0, found 0/);
    expect(bad({ "model.factors": { int: [64, 8] } })).toMatch(/model\.factors: expected lo < hi, found \[64, 8\]/);
    expect(bad({ "model factors": { int: [8, 64] } })).toMatch(/model factors: expected a dotted config path such as model\.factors, found "model factors"/);
    expect(bad({})).toMatch(/at least one parameter/);
    expect(bad({ "model.loss": { choice: [] } })).toMatch(/model\.loss/);
  });
});

describe("samplers", () => {
  it("random: seeded (same seed, same trials), inside every range, whole numbers where asked, log-uniform on log scales", () => {
    const draw = (seed: number) => Array.from({ length: 400 }, () => new RandomSampler(space, new Rng(seed, "tune")).suggest());
    const one = new RandomSampler(space, new Rng(1, "tune"));
    const trials = Array.from({ length: 2000 }, () => one.suggest());
    expect(draw(3)).toEqual(draw(3));
    for (const p of trials) {
      expect(p["training.learningRate"]).toBeGreaterThanOrEqual(1e-4);
      expect(p["training.learningRate"]).toBeLessThanOrEqual(1);
      expect(Number.isInteger(p["model.factors"])).toBe(true);
      expect(p["model.factors"]).toBeGreaterThanOrEqual(8);
      expect(p["model.factors"]).toBeLessThanOrEqual(256);
      expect(["ce", "bce", "sampled"]).toContain(p["model.loss"]);
    }
    // Log-uniform on [1e-4, 1]: a quarter of the draws under 1e-3, half under 1e-2.
    const below = (x: number) => trials.filter((p) => (p["training.learningRate"] as number) < x).length / trials.length;
    expect(below(1e-3)).toBeCloseTo(0.25, 1);
    expect(below(1e-2)).toBeCloseTo(0.5, 1);
  });

  it("grid: every combination once, then nothing; a range is refused with the parameter's name", () => {
    const grid = new GridSampler(searchSpaceSchema.parse({ "model.factors": { choice: [16, 32, 64] }, "model.loss": { choice: ["ce", "bce"] } }));
    const seen: Params[] = [];
    for (let p = grid.suggest(); p; p = grid.suggest()) seen.push(p);
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((p) => JSON.stringify(p))).size).toBe(6);
    expect(seen[0]).toEqual({ "model.factors": 16, "model.loss": "ce" });
    expect(() => new GridSampler(space)).toThrow(/training\.learningRate is a range/);
  });

  it("TPE: seeded; after its random start-up it beats random search on the same budget, over twenty seeds", () => {
    const tpe = (seed: number) => new TpeSampler(space, new Rng(seed, "tune"), { startup: 10 });
    expect(bestAfter(tpe(5), 30)).toBe(bestAfter(tpe(5), 30));
    let tpeWins = 0;
    let [tpeSum, randomSum] = [0, 0];
    for (let seed = 1; seed <= 20; seed++) {
      const t = bestAfter(tpe(seed), 60);
      const r = bestAfter(new RandomSampler(space, new Rng(seed, "tune")), 60);
      tpeSum += t;
      randomSum += r;
      if (t > r) tpeWins++;
    }
    // Measured: TPE's mean best −0.18 against random's −0.47 (the optimum is 0), TPE ahead on 18 of 20 seeds.
    expect(tpeSum / 20).toBeGreaterThan(-0.25);
    expect(randomSum / 20).toBeLessThan(-0.35);
    expect(tpeWins).toBeGreaterThanOrEqual(15);
  });

  it("TPE ignores failed trials (NaN scores) and still proposes values inside the space", () => {
    const s = new TpeSampler(space, new Rng(2, "tune"), { startup: 3 });
    const done: ScoredTrial[] = [];
    for (let t = 0; t < 20; t++) {
      const params = s.suggest(done);
      done.push({ params, score: t % 3 === 0 ? NaN : objective(params) });
      expect(params["model.dropout"]).toBeGreaterThanOrEqual(0);
      expect(params["model.dropout"]).toBeLessThanOrEqual(0.9);
    }
  });
});

describe("median pruning", () => {
  it("stops a trial whose best so far is under the median of the finished trials' at the same epoch, after the warm-up", () => {
    const pruner = new MedianPruner({ warmupTrials: 3, warmupEpochs: 2 });
    expect(pruner.shouldPrune([0.01, 0.01, 0.01])).toBe(false); // no finished trials yet
    pruner.record([0.1, 0.2, 0.3, 0.35]);
    pruner.record([0.15, 0.25, 0.28, 0.3]);
    expect(pruner.shouldPrune([0.01, 0.01])).toBe(false); // two finished: still warming up
    pruner.record([0.05, 0.1, 0.2, 0.25]);
    expect(pruner.shouldPrune([0.01])).toBe(false); // before the trial's second epoch
    expect(pruner.shouldPrune([0.01, 0.05])).toBe(true); // best 0.05 < median(0.2, 0.25, 0.1) = 0.2
    expect(pruner.shouldPrune([0.3, 0.05])).toBe(false); // its best so far (0.3) counts, not its last epoch
    expect(pruner.shouldPrune([0.01, 0.01, 0.01, 0.01, 0.01])).toBe(false); // no finished trial ran five epochs
  });
});
