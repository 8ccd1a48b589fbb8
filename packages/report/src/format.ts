/** A metric over seeds as reports show it: mean, and the 95% interval when there is more than one seed. */
export interface MetricCell {
  mean: number;
  ci95: [number, number];
  n: number;
}

/** "0.4123 ± 0.0051" (half-width of the 95% interval over seeds), or the mean alone for one seed. */
export function formatMetric(m: MetricCell, digits = 4): string {
  const half = (m.ci95[1] - m.ci95[0]) / 2;
  return m.n > 1 ? `${m.mean.toFixed(digits)} ± ${half.toFixed(digits)}` : m.mean.toFixed(digits);
}

/**
 * Markdown table of metrics: one row per family at K (in the given order), one column per K; then the
 * metrics without a cut-off (mrr, candidate_recall, rmse, mae) in a second table.
 */
export function metricsMarkdown(ks: number[], families: readonly string[], metrics: Record<string, MetricCell>): string {
  const rows = families
    .filter((m) => ks.some((k) => metrics[`${m}@${k}`]))
    .map((m) => `| ${m} | ${ks.map((k) => (metrics[`${m}@${k}`] ? formatMetric(metrics[`${m}@${k}`]) : "")).join(" | ")} |`);
  const extra = ["mrr", "candidate_recall", "rmse", "mae"].filter((m) => metrics[m]).map((m) => `| ${m}${m === "mrr" ? " (full ranking)" : m === "candidate_recall" ? " (first stage)" : ""} | ${formatMetric(metrics[m])} |`);
  return [
    `| metric | ${ks.map((k) => `@${k}`).join(" | ")} |`, `|---|${ks.map(() => "---:").join("|")}|`, ...rows,
    ...(extra.length ? ["", "| metric | value |", "|---|---:|", ...extra] : []),
  ].join("\n");
}

export const int = (n: number): string => n.toLocaleString("en-US");
