/**
 * The median stopping rule (Golovin et al., Google Vizier, KDD 2017; Optuna's MedianPruner): after a trial's epoch e,
 * stop it when its best validation score so far is below the median of the other finished trials' best scores up to
 * the same epoch. Never before `warmupTrials` trials have finished, nor before the trial's `warmupEpochs`th epoch.
 */
export class MedianPruner {
  /** Finished trials' learning curves (validation score after each epoch; higher is better). */
  private readonly curves: number[][] = [];

  constructor(private readonly o: { warmupTrials: number; warmupEpochs: number } = { warmupTrials: 5, warmupEpochs: 3 }) {}

  /** A finished (or pruned) trial's curve joins the record the rule compares against. */
  record(curve: readonly number[]): void {
    this.curves.push([...curve]);
  }

  /** Whether a running trial whose curve so far is `curve` (epochs 1 … curve.length) should stop. */
  shouldPrune(curve: readonly number[]): boolean {
    const epoch = curve.length;
    if (this.curves.length < this.o.warmupTrials || epoch < this.o.warmupEpochs) return false;
    const others = this.curves.filter((c) => c.length >= epoch).map((c) => bestUpTo(c, epoch));
    if (others.length < this.o.warmupTrials) return false;
    return bestUpTo(curve, epoch) < median(others);
  }
}

function bestUpTo(curve: readonly number[], epoch: number): number {
  let best = -Infinity;
  for (let e = 0; e < epoch; e++) if (curve[e] > best) best = curve[e];
  return best;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
