export { writeRunReport, type RunSummary, type SeedTraining, type ExampleUser } from "./run-report.ts";
export { writeComparisonReport, type ComparisonSummary, type ComparedRun, type PairedSummary, type TunedSummary } from "./comparison-report.ts";
export { formatMetric, metricsMarkdown, int, type MetricCell } from "./format.ts";
export { renderSvg, metricAtKSpec, barSpec, learningCurveSpec, trialsSpec, type CurvePoint, type EpochPoint, type TrialPoint } from "./charts.ts";
