import { Rng, UserError } from "@mle/core";
import { normalSf } from "@mle/metrics";
import { fromScale, numericScale, toScale, type ParamValue, type Params, type SearchSpace } from "./space.ts";

/** A finished trial as samplers see it: its parameters and its score (higher is better; NaN for a failed trial). */
export interface ScoredTrial {
  params: Params;
  score: number;
}

/** Proposes the next trial's parameters from the trials so far; null when it has nothing left to propose (grid). */
export interface Sampler {
  readonly name: string;
  suggest(done: readonly ScoredTrial[]): Params | null;
}

/** Every combination of the choices, in order (first parameter slowest); only for spaces of choices. */
export class GridSampler implements Sampler {
  readonly name = "grid";
  private readonly points: Params[];
  private next = 0;

  constructor(space: SearchSpace) {
    let points: Params[] = [{}];
    for (const [key, p] of Object.entries(space)) {
      if (!("choice" in p)) throw new UserError(`grid search needs a list of values for every parameter; ${key} is a range (use choice: [...], or the random or tpe sampler)`);
      points = points.flatMap((pt) => p.choice.map((v) => ({ ...pt, [key]: v })));
    }
    this.points = points;
  }

  get size(): number {
    return this.points.length;
  }

  suggest(): Params | null {
    return this.next < this.points.length ? this.points[this.next++] : null;
  }
}

/** Independent uniform draws on each parameter's scale (log-uniform for log parameters). */
export class RandomSampler implements Sampler {
  readonly name = "random";
  constructor(private readonly space: SearchSpace, private readonly rng: Rng) {}

  suggest(): Params {
    return Object.fromEntries(Object.entries(this.space).map(([key, p]) => [key, randomValue(p, this.rng)]));
  }
}

function randomValue(p: SearchSpace[string], rng: Rng): ParamValue {
  if ("choice" in p) return p.choice[rng.int(p.choice.length)];
  const s = numericScale(p)!;
  return fromScale(p, s, s.lo + rng.nextFloat() * (s.hi - s.lo));
}

export interface TpeOptions {
  /** Random trials before the model takes over. */
  startup: number;
  /** Share of the finished trials that count as good (Optuna's default 0.1; Bergstra et al. used 0.15–0.25). */
  gamma: number;
  /** Draws from the good density per parameter, of which the best l/g ratio is kept. */
  candidates: number;
}

/**
 * The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kégl, NeurIPS 2011), univariate as in Hyperopt
 * and Optuna's default: the finished trials split at the γ quantile of score into good and bad; per parameter, a
 * Parzen density of each (Gaussians truncated to the range, one per trial, plus a wide prior; counts plus one for
 * choices); the next value is the draw from the good density with the highest good/bad density ratio.
 */
export class TpeSampler implements Sampler {
  readonly name = "tpe";
  private readonly o: TpeOptions;
  private readonly random: RandomSampler;

  constructor(private readonly space: SearchSpace, private readonly rng: Rng, o: Partial<TpeOptions> = {}) {
    this.o = { startup: 10, gamma: 0.1, candidates: 24, ...o };
    this.random = new RandomSampler(space, rng);
  }

  suggest(done: readonly ScoredTrial[]): Params {
    const scored = done.filter((t) => Number.isFinite(t.score));
    if (scored.length < this.o.startup) return this.random.suggest();
    const sorted = [...scored].sort((a, b) => b.score - a.score);
    const nGood = Math.max(1, Math.ceil(this.o.gamma * sorted.length));
    const [good, bad] = [sorted.slice(0, nGood), sorted.slice(nGood)];
    return Object.fromEntries(Object.entries(this.space).map(([key, p]) => [key, this.propose(key, p, good, bad)]));
  }

  private propose(key: string, p: SearchSpace[string], good: ScoredTrial[], bad: ScoredTrial[]): ParamValue {
    if ("choice" in p) {
      const weights = (trials: ScoredTrial[]) => p.choice.map((c) => 1 + trials.filter((t) => t.params[key] === c).length);
      const [l, g] = [weights(good), weights(bad)];
      const [sl, sg] = [l.reduce((a, b) => a + b, 0), g.reduce((a, b) => a + b, 0)];
      let best = 0;
      let bestRatio = -Infinity;
      for (let c = 0; c < this.o.candidates; c++) {
        const j = drawCategorical(l, sl, this.rng);
        const ratio = l[j] / sl / (g[j] / sg);
        if (ratio > bestRatio) (bestRatio = ratio), (best = j);
      }
      return p.choice[best];
    }
    const s = numericScale(p)!;
    const at = (trials: ScoredTrial[]) => trials.map((t) => toScale(s, t.params[key] as number));
    const [l, g] = [parzen(at(good), s.lo, s.hi), parzen(at(bad), s.lo, s.hi)];
    let best = NaN;
    let bestRatio = -Infinity;
    for (let c = 0; c < this.o.candidates; c++) {
      const x = l.sample(this.rng);
      const ratio = Math.log(l.density(x)) - Math.log(g.density(x));
      if (ratio > bestRatio) (bestRatio = ratio), (best = x);
    }
    return fromScale(p, s, best);
  }
}

function drawCategorical(w: number[], total: number, rng: Rng): number {
  let u = rng.nextFloat() * total;
  for (let j = 0; j < w.length; j++) if ((u -= w[j]) < 0) return j;
  return w.length - 1;
}

/**
 * A Parzen density on [lo, hi]: a Gaussian per observation, its width the larger gap to its neighbours (clipped to
 * [range / min(100, n + 1), range]), and a prior Gaussian at the centre as wide as the range; each truncated to the range.
 */
function parzen(xs: number[], lo: number, hi: number): { density(x: number): number; sample(rng: Rng): number } {
  const range = hi - lo;
  const sorted = [...xs].sort((a, b) => a - b);
  const mus = [...sorted, (lo + hi) / 2];
  const minSigma = range / Math.min(100, sorted.length + 1);
  const sigmas = sorted.map((x, i) => Math.min(range, Math.max(minSigma, x - (sorted[i - 1] ?? lo), (sorted[i + 1] ?? hi) - x)));
  sigmas.push(range);
  const mass = mus.map((m, i) => normalSf((lo - m) / sigmas[i]) - normalSf((hi - m) / sigmas[i])); // each kernel's share inside the range
  const n = mus.length;
  return {
    density(x) {
      let d = 0;
      for (let i = 0; i < n; i++) d += Math.exp(-0.5 * ((x - mus[i]) / sigmas[i]) ** 2) / (sigmas[i] * Math.sqrt(2 * Math.PI) * Math.max(mass[i], 1e-12));
      return Math.max(d / n, 1e-300);
    },
    sample(rng) {
      const i = rng.int(n);
      for (let attempt = 0; attempt < 100; attempt++) {
        const x = mus[i] + sigmas[i] * rng.normal();
        if (x >= lo && x <= hi) return x;
      }
      return Math.min(hi, Math.max(lo, mus[i]));
    },
  };
}
