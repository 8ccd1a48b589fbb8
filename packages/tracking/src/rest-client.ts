import type { z } from "zod";
import { UserError } from "@mle/core";
import {
  createExperimentResponse, errorResponse, experimentResponse, listArtifactsResponse, modelVersionResponse, metricHistoryResponse,
  runResponse, searchRunsResponse, type RunRecord,
} from "./schemas.ts";
import type { DatasetInput, KeyValue, Metric, RunStatus, TrackingStore } from "./store.ts";

/** MLflow's per-request limits for log-batch. */
const LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 };

export interface RestOptions {
  /** Bearer token ($MLFLOW_TRACKING_TOKEN) or basic auth ($MLFLOW_TRACKING_USERNAME / _PASSWORD). */
  token?: string;
  username?: string;
  password?: string;
  /** Attempts per request on network errors, 429 and 5xx, with exponential backoff from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
}

/** The server stopped answering (or is not MLflow): callers fail over to the local store. */
export class TrackingUnavailableError extends UserError {
  override name = "TrackingUnavailableError";
  constructor(message: string) {
    super(message, "is the MLflow server running at that address? Runs that could not be sent stay in the local store (./mlruns); `pnpm tracking sync --to <url>` sends them when it answers");
  }
}

/** A typed client for MLflow's REST API (2.0 paths) with zod-checked responses. */
export class MlflowRestClient implements TrackingStore {
  private readonly headers: Record<string, string>;
  private readonly artifactRoots = new Map<string, string>();
  readonly attempts: number;
  readonly backoffMs: number;

  constructor(readonly uri: string, o: RestOptions = {}) {
    this.uri = uri.replace(/\/$/, "");
    this.headers = { "content-type": "application/json" };
    const token = o.token ?? process.env.MLFLOW_TRACKING_TOKEN;
    const user = o.username ?? process.env.MLFLOW_TRACKING_USERNAME;
    const pass = o.password ?? process.env.MLFLOW_TRACKING_PASSWORD;
    if (token) this.headers.authorization = `Bearer ${token}`;
    else if (user) this.headers.authorization = `Basic ${Buffer.from(`${user}:${pass ?? ""}`).toString("base64")}`;
    this.attempts = o.attempts ?? Number(process.env.MLE_TRACKING_ATTEMPTS ?? 5);
    this.backoffMs = o.backoffMs ?? 250;
  }

  async experimentId(name: string): Promise<string> {
    const found = await this.call("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`, undefined, experimentResponse, [404]);
    if (found) return found.experiment.experiment_id;
    try {
      return (await this.call("POST", "/api/2.0/mlflow/experiments/create", { name }, createExperimentResponse))!.experiment_id;
    } catch (e) {
      // Another process created it between our two calls.
      const again = await this.call("GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`, undefined, experimentResponse, [404]);
      if (again) return again.experiment.experiment_id;
      throw e;
    }
  }

  async createRun(experimentId: string, runName: string, tags: KeyValue[], startTime: number): Promise<string> {
    const r = (await this.call("POST", "/api/2.0/mlflow/runs/create", { experiment_id: experimentId, run_name: runName, start_time: startTime, tags }, runResponse))!;
    if (r.run.info.artifact_uri) this.artifactRoots.set(r.run.info.run_id, r.run.info.artifact_uri);
    return r.run.info.run_id;
  }

  /** Splits into requests within MLflow's log-batch limits. */
  async logBatch(runId: string, batch: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    const metrics = [...(batch.metrics ?? [])];
    const params = [...(batch.params ?? [])];
    const tags = [...(batch.tags ?? [])];
    while (metrics.length || params.length || tags.length) {
      const p = params.splice(0, LIMITS.params);
      const t = tags.splice(0, LIMITS.tags);
      const m = metrics.splice(0, Math.min(LIMITS.metrics, LIMITS.total - p.length - t.length));
      await this.call("POST", "/api/2.0/mlflow/runs/log-batch", { run_id: runId, metrics: m, params: p, tags: t }, null);
    }
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    const datasets = inputs.map((d) => ({
      tags: [{ key: "mlflow.data.context", value: d.context }],
      dataset: { name: d.name, digest: d.digest, source_type: d.sourceType, source: JSON.stringify({ uri: d.source }) },
    }));
    await this.call("POST", "/api/2.0/mlflow/runs/log-inputs", { run_id: runId, datasets }, null);
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.call("POST", "/api/2.0/mlflow/experiments/set-experiment-tag", { experiment_id: experimentId, key, value }, null);
  }

  /** Through the server's artifact proxy (`mlflow server --serve-artifacts`, the default since MLflow 2). */
  async uploadArtifact(runId: string, path: string, bytes: Uint8Array): Promise<void> {
    let root = this.artifactRoots.get(runId);
    if (!root) root = (await this.getRun(runId)).info.artifact_uri ?? "";
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?(\/.*)$/.exec(root);
    if (!m) throw new UserError(`run ${runId} stores artifacts at ${root}, which this client cannot reach; start the server with --serve-artifacts`);
    const url = `/api/2.0/mlflow-artifacts/artifacts${m[1]}/${path.split("/").map(encodeURIComponent).join("/")}`;
    await this.call("PUT", url, bytes, null);
  }

  /** An artifact's bytes, through the server's artifact proxy. */
  async downloadArtifact(runId: string, path: string): Promise<Uint8Array> {
    const root = (await this.getRun(runId)).info.artifact_uri ?? "";
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?(\/.*)$/.exec(root);
    if (!m) throw new UserError(`run ${runId} stores artifacts at ${root}, which this client cannot reach; start the server with --serve-artifacts`);
    return (await this.call("GET", `/api/2.0/mlflow-artifacts/artifacts${m[1]}/${path.split("/").map(encodeURIComponent).join("/")}`, undefined, "bytes"))!;
  }

  /** Registers the run's `model/` artifact as a new version of `name` (creating the registered model once); returns the version. */
  async registerModelVersion(name: string, runId: string): Promise<string> {
    await this.call("POST", "/api/2.0/mlflow/registered-models/create", { name }, null, [400]); // 400: it exists already
    const r = await this.call("POST", "/api/2.0/mlflow/model-versions/create", { name, source: `runs:/${runId}/model`, run_id: runId }, modelVersionResponse);
    return r!.model_version.version;
  }

  /** The run a registered model version came from. */
  async modelVersionRun(name: string, version: string): Promise<string> {
    const r = await this.call("GET", `/api/2.0/mlflow/model-versions/get?name=${encodeURIComponent(name)}&version=${encodeURIComponent(version)}`, undefined, modelVersionResponse);
    const runId = r!.model_version.run_id;
    if (!runId) throw new UserError(`models:/${name}/${version} names no run`);
    return runId;
  }

  async endRun(runId: string, status: RunStatus, endTime: number): Promise<void> {
    await this.call("POST", "/api/2.0/mlflow/runs/update", { run_id: runId, status, end_time: endTime }, null);
  }

  async getRun(runId: string): Promise<RunRecord> {
    return (await this.call("GET", `/api/2.0/mlflow/runs/get?run_id=${runId}`, undefined, runResponse))!.run;
  }

  async searchRuns(experimentIds: string[], filter = ""): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let token: string | undefined;
    do {
      const r = (await this.call("POST", "/api/2.0/mlflow/runs/search", { experiment_ids: experimentIds, filter, max_results: 1000, page_token: token }, searchRunsResponse))!;
      runs.push(...r.runs);
      token = r.next_page_token || undefined;
    } while (token);
    return runs;
  }

  async metricHistory(runId: string, key: string): Promise<{ value: number; step: number }[]> {
    const r = (await this.call("GET", `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${encodeURIComponent(key)}`, undefined, metricHistoryResponse))!;
    return r.metrics.map((m) => ({ value: m.value, step: Number(m.step ?? 0) }));
  }

  async listArtifacts(runId: string, path = ""): Promise<string[]> {
    const r = (await this.call("GET", `/api/2.0/mlflow/artifacts/list?run_id=${runId}${path ? `&path=${encodeURIComponent(path)}` : ""}`, undefined, listArtifactsResponse))!;
    const out: string[] = [];
    for (const f of r.files) out.push(...(f.is_dir ? await this.listArtifacts(runId, f.path) : [f.path]));
    return out;
  }

  /**
   * One request with retries on network errors, 429 and 5xx. Exhausted retries raise
   * TrackingUnavailableError; 4xx answers (but `allow`ed ones, returned as null) raise a UserError.
   */
  private async call(method: string, path: string, body: unknown, schema: "bytes", allow?: number[]): Promise<Uint8Array | null>;
  private async call<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S | null, allow?: number[]): Promise<z.infer<S> | null>;
  private async call<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S | null | "bytes", allow: number[] = []): Promise<z.infer<S> | Uint8Array | null> {
    let last = "";
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 1)));
      let res: Response;
      try {
        const payload = body instanceof Uint8Array ? body : body === undefined ? undefined : JSON.stringify(body);
        const headers = body instanceof Uint8Array ? { ...this.headers, "content-type": "application/octet-stream" } : this.headers;
        res = await fetch(`${this.uri}${path}`, { method, headers, body: payload as string | Uint8Array | undefined });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
        last = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (e as Error).message;
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (schema === "bytes" && res.ok) return bytes;
      const text = new TextDecoder().decode(bytes);
      // Something answered that is not MLflow (a web page, a 501 "not implemented"): no point retrying.
      const json = safeJson(text);
      const notMlflow = res.status === 501 || /text\/html/i.test(res.headers.get("content-type") ?? "") || (text !== "" && typeof json === "string" && !path.includes("mlflow-artifacts"));
      if (notMlflow) {
        const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
        throw new TrackingUnavailableError(`the server at ${this.uri} answered but is not an MLflow tracking server (${method} ${path.split("?")[0]} → HTTP ${res.status} ${res.headers.get("content-type") ?? "no content type"}${title ? `, "${title.trim()}"` : text ? `, "${text.slice(0, 80).replace(/\s+/g, " ")}"` : ""})`);
      }
      if (res.status === 429 || res.status >= 500) {
        last = `HTTP ${res.status}`;
        continue;
      }
      if (allow.includes(res.status)) return null;
      if (!res.ok) {
        const err = errorResponse.safeParse(json);
        throw new UserError(`MLflow ${method} ${path.split("?")[0]} answered HTTP ${res.status}: ${err.success ? `${err.data.error_code ?? ""} ${err.data.message ?? ""}`.trim() : text.slice(0, 200)}`);
      }
      if (!schema || schema === "bytes") return null;
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new Error(`MLflow ${path.split("?")[0]} returned an unexpected body: ${parsed.error.message}`);
      return parsed.data;
    }
    throw new TrackingUnavailableError(`MLflow at ${this.uri} did not answer ${method} ${path.split("?")[0]} after ${this.attempts} attempts (${last})`);
  }
}

function safeJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return text;
  }
}
