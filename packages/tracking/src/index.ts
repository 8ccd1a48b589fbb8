export { MlflowRestClient, TrackingUnavailableError, type RestOptions } from "./rest-client.ts";
export { FileStore } from "./file-store.ts";
export { RunRecorder, type RunHandle } from "./recorder.ts";
export { syncPending } from "./sync.ts";
export { openRecorder } from "./open.ts";
export { mlflowKey, type TrackingStore, type Metric, type KeyValue, type RunStatus, type DatasetInput } from "./store.ts";
export { seedMetrics, epochMetrics, summaryMetrics, uploadFolder, type SeedOutcome, type MetricSummary, type EpochPoint } from "./payload.ts";
export type { RunRecord } from "./schemas.ts";
