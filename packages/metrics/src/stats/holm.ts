/**
 * Holm's step-down adjustment (Holm 1979) of m p-values from one family of tests: the i-th smallest is multiplied by
 * m − i + 1, running maxima keep the order, and 1 caps them. Rejecting where the adjusted value is under α bounds
 * the family-wise error rate at α for any dependence between the tests (unlike Bonferroni, without giving up power
 * on the smaller p-values). NaN p-values stay NaN and do not count in m.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = pValues.map(() => NaN);
  const m = order.length;
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
