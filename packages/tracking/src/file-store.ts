import { createHash, randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parse, stringify } from "yaml";
import type { DatasetInput, KeyValue, Metric, RunStatus, TrackingStore } from "./store.ts";

const STATUS = { RUNNING: 1, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;

/**
 * MLflow's `./mlruns` file-store layout, written directly: `<exp>/meta.yaml`,
 * `<exp>/<run>/{meta.yaml, params/, metrics/, tags/, artifacts/}`, metric files of
 * "<timestamp> <value> <step>" lines. The real MLflow reads it (`mlflow ui --backend-store-uri
 * ./mlruns`; MLflow ≥ 3.7 wants MLFLOW_ALLOW_FILE_STORE=true for file stores).
 */
export class FileStore implements TrackingStore {
  readonly root: string;
  readonly uri: string;

  constructor(root = "mlruns") {
    this.root = resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  async experimentId(name: string): Promise<string> {
    mkdirSync(this.root, { recursive: true });
    if (!existsSync(join(this.root, "0", "meta.yaml"))) this.writeExperiment("0", "Default");
    for (const id of readdirSync(this.root)) {
      const meta = join(this.root, id, "meta.yaml");
      if (existsSync(meta) && (parse(readFileSync(meta, "utf8")) as { name?: string }).name === name) return id;
    }
    const id = BigInt(`0x${randomBytes(7).toString("hex")}`).toString(); // MLflow's file store uses large random integers
    this.writeExperiment(id, name);
    return id;
  }

  async createRun(experimentId: string, runName: string, tags: KeyValue[], startTime: number): Promise<string> {
    const runId = randomUUID().replace(/-/g, "");
    const dir = join(this.root, experimentId, runId);
    for (const sub of ["metrics", "params", "tags", "artifacts"]) mkdirSync(join(dir, sub), { recursive: true });
    this.writeRunMeta(experimentId, runId, { run_name: runName, start_time: startTime, end_time: null, status: STATUS.RUNNING });
    await this.logBatch(runId, { tags: [{ key: "mlflow.runName", value: runName }, ...tags] });
    return runId;
  }

  async logBatch(runId: string, batch: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    const dir = this.runDir(runId);
    for (const m of batch.metrics ?? []) {
      const f = join(dir, "metrics", m.key);
      mkdirSync(dirname(f), { recursive: true });
      appendFileSync(f, `${m.timestamp} ${m.value} ${m.step}\n`);
    }
    for (const [sub, items] of [["params", batch.params], ["tags", batch.tags]] as const) {
      for (const kv of items ?? []) {
        const f = join(dir, sub, kv.key);
        mkdirSync(dirname(f), { recursive: true });
        writeFileSync(f, kv.value);
      }
    }
  }

  /**
   * Dataset inputs as MLflow's file store writes them: the dataset under `<experiment>/datasets/<md5(name,
   * digest)>/meta.yaml`, the link under `<run>/inputs/<md5(dataset id, run id)>/meta.yaml` (the UI's "Datasets").
   */
  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    const runDir = this.runDir(runId);
    const expDir = dirname(runDir);
    for (const d of inputs) {
      const datasetId = createHash("md5").update(d.name).update(d.digest).digest("hex");
      const datasetDir = join(expDir, "datasets", datasetId);
      if (!existsSync(datasetDir)) {
        mkdirSync(datasetDir, { recursive: true });
        writeFileSync(join(datasetDir, "meta.yaml"), stringify({ name: d.name, digest: d.digest, source_type: d.sourceType, source: JSON.stringify({ uri: d.source }), schema: null, profile: null }));
      }
      const inputDir = join(runDir, "inputs", createHash("md5").update(datasetId).update(runId).digest("hex"));
      mkdirSync(inputDir, { recursive: true });
      writeFileSync(join(inputDir, "meta.yaml"), stringify({ source_type: "DATASET", source_id: datasetId, destination_type: "RUN", destination_id: datasetId, tags: { "mlflow.data.context": d.context } }));
    }
  }

  /** An experiment tag (`mlflow.note.content` is the experiment's description in the UI). */
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    const f = join(this.root, experimentId, "tags", key);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, value);
  }

  async uploadArtifact(runId: string, path: string, bytes: Uint8Array): Promise<void> {
    const f = join(this.runDir(runId), "artifacts", path);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, bytes);
  }

  async endRun(runId: string, status: RunStatus, endTime: number): Promise<void> {
    const dir = this.runDir(runId);
    const meta = parse(readFileSync(join(dir, "meta.yaml"), "utf8")) as Record<string, unknown>;
    this.writeRunMeta(String(meta.experiment_id), runId, { ...meta, status: STATUS[status], end_time: endTime });
  }

  /** Every run in the store: where it is and its tags (for `pnpm tracking sync`). */
  listRuns(): { experimentId: string; experimentName: string; runId: string; dir: string }[] {
    if (!existsSync(this.root)) return [];
    const out = [];
    for (const exp of readdirSync(this.root)) {
      const meta = join(this.root, exp, "meta.yaml");
      if (!existsSync(meta)) continue;
      const name = (parse(readFileSync(meta, "utf8")) as { name: string }).name;
      for (const run of readdirSync(join(this.root, exp))) {
        if (existsSync(join(this.root, exp, run, "meta.yaml"))) out.push({ experimentId: exp, experimentName: name, runId: run, dir: join(this.root, exp, run) });
      }
    }
    return out;
  }

  runDir(runId: string): string {
    for (const exp of readdirSync(this.root)) if (existsSync(join(this.root, exp, runId, "meta.yaml"))) return join(this.root, exp, runId);
    throw new Error(`run ${runId} is not in ${this.root}`);
  }

  private writeExperiment(id: string, name: string): void {
    const now = Date.now();
    mkdirSync(join(this.root, id), { recursive: true });
    writeFileSync(join(this.root, id, "meta.yaml"), stringify({
      artifact_location: pathToFileURL(join(this.root, id)).href, creation_time: now, experiment_id: id,
      last_update_time: now, lifecycle_stage: "active", name,
    }));
  }

  private writeRunMeta(experimentId: string, runId: string, fields: Record<string, unknown>): void {
    const dir = join(this.root, experimentId, runId);
    writeFileSync(join(dir, "meta.yaml"), stringify({
      artifact_uri: pathToFileURL(join(dir, "artifacts")).href, end_time: null, entry_point_name: "", experiment_id: experimentId,
      lifecycle_stage: "active", run_id: runId, run_name: "", source_name: "", source_type: 4, source_version: "",
      start_time: 0, status: STATUS.RUNNING, tags: [], user_id: userName(), ...fields,
    }));
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
