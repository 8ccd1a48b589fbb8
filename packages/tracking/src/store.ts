/** What a run is made of, in MLflow's terms. */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface KeyValue {
  key: string;
  value: string;
}
export type RunStatus = "RUNNING" | "FINISHED" | "FAILED" | "KILLED";

export interface DatasetInput {
  name: string;
  digest: string;
  source: string;
  sourceType: string;
  context: string;
}

/** The operations a run needs; a REST client and the ./mlruns file store both provide them. */
export interface TrackingStore {
  /** e.g. "http://127.0.0.1:5000" or "file:///…/mlruns". */
  readonly uri: string;
  experimentId(name: string): Promise<string>;
  createRun(experimentId: string, runName: string, tags: KeyValue[], startTime: number): Promise<string>;
  logBatch(runId: string, batch: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void>;
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  uploadArtifact(runId: string, path: string, bytes: Uint8Array): Promise<void>;
  endRun(runId: string, status: RunStatus, endTime: number): Promise<void>;
}

/** MLflow keys allow letters, digits, `_ - . / :` and spaces; `recall@10` becomes `recall_at_10`. */
export function mlflowKey(name: string): string {
  return name.replace(/@/g, "_at_").replace(/[^\w.\-/: ]/g, "_");
}
