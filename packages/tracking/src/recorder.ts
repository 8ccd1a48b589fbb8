import { readFileSync } from "node:fs";
import { log } from "@mle/core";
import type { FileStore } from "./file-store.ts";
import { TrackingUnavailableError } from "./rest-client.ts";
import type { DatasetInput, KeyValue, Metric, RunStatus, TrackingStore } from "./store.ts";

type Op =
  | { kind: "log"; batch: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] } }
  | { kind: "inputs"; inputs: DatasetInput[] }
  | { kind: "artifact"; path: string; file: string }
  | { kind: "end"; status: RunStatus; time: number };

/** A run as the recorder knows it: everything sent to it is journaled, so it can be replayed elsewhere. */
export interface RunHandle {
  experiment: string;
  name: string;
  tags: KeyValue[];
  startTime: number;
  parent?: RunHandle;
  journal: Op[];
  /** The id in the store currently used. */
  id?: string;
  /** The id the first (remote) store gave, if it got that far. */
  remoteId?: string;
  ended: boolean;
}

/**
 * Logs runs to a store. If a remote MLflow stops answering (after the client's retries), every run
 * is replayed from its journal into the local file store, tagged `mle.pendingSync`, and the rest of
 * the work goes there: no metric is lost, and `pnpm tracking sync` sends it on later.
 */
export class RunRecorder {
  private store: TrackingStore;
  private readonly runs: RunHandle[] = [];
  private failure: string | null = null;

  constructor(primary: TrackingStore, private readonly fallback: FileStore | null) {
    this.store = primary;
  }

  get uri(): string {
    return this.store.uri;
  }
  /** Why the recorder moved to the local store, if it did. */
  get failedOver(): string | null {
    return this.failure;
  }

  async startRun(experiment: string, name: string, tags: KeyValue[], parent?: RunHandle): Promise<RunHandle> {
    const h: RunHandle = { experiment, name, tags, startTime: Date.now(), parent, journal: [], ended: false };
    this.runs.push(h);
    await this.guard(async () => this.create(h));
    return h;
  }

  /**
   * A run created earlier or elsewhere. Not `owned` (a queue's submitter made it): this recorder nests runs under it
   * and never ends it. `owned` (a resumed submission's own parent run): it logs to it and ends it like its own.
   * (Were this recorder to fail over to its local store, runs would name a parent that store lacks.)
   */
  existingRun(experiment: string, id: string, owned = false): RunHandle {
    const h: RunHandle = { experiment, name: "", tags: [], startTime: Date.now(), journal: [], id, remoteId: id, ended: !owned };
    if (owned) this.runs.push(h);
    return h;
  }

  log(h: RunHandle, batch: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    return this.apply(h, { kind: "log", batch });
  }
  inputs(h: RunHandle, inputs: DatasetInput[]): Promise<void> {
    return this.apply(h, { kind: "inputs", inputs });
  }
  /** Uploads a file as an artifact at `path` (relative, "/"-separated). */
  artifact(h: RunHandle, path: string, file: string): Promise<void> {
    return this.apply(h, { kind: "artifact", path, file });
  }
  async end(h: RunHandle, status: RunStatus): Promise<void> {
    if (h.ended) return;
    h.ended = true;
    await this.apply(h, { kind: "end", status, time: Date.now() });
  }

  /** Sets an experiment's tag, e.g. its description (`mlflow.note.content`); where the server failed, in the local store. */
  async experimentTag(experiment: string, key: string, value: string): Promise<void> {
    const was = this.failure;
    await this.guard(async () => this.store.setExperimentTag(await this.store.experimentId(experiment), key, value));
    if (!was && this.failure) await this.store.setExperimentTag(await this.store.experimentId(experiment), key, value); // the failover replays runs, not this

  }

  /** Ends every open run (children first) with `status`: Ctrl-C gives KILLED, a crash FAILED. */
  async endAll(status: RunStatus): Promise<void> {
    for (const h of [...this.runs].reverse()) await this.end(h, status);
  }

  private async apply(h: RunHandle, op: Op): Promise<void> {
    h.journal.push(op);
    await this.guard(() => this.send(this.store, h.id!, op));
  }

  private async create(h: RunHandle): Promise<void> {
    const tags = [...h.tags];
    if (h.parent) tags.push({ key: "mlflow.parentRunId", value: h.parent.id! });
    if (this.failure) tags.push({ key: "mle.pendingSync", value: this.failure });
    if (h.remoteId && this.failure) tags.push({ key: "mle.remoteRunId", value: h.remoteId });
    const id = await this.store.createRun(await this.store.experimentId(h.experiment), h.name, tags, h.startTime);
    h.id = id;
    if (!this.failure) h.remoteId = id;
  }

  private async send(store: TrackingStore, id: string, op: Op): Promise<void> {
    if (op.kind === "log") await store.logBatch(id, op.batch);
    else if (op.kind === "inputs") await store.logInputs(id, op.inputs);
    else if (op.kind === "artifact") await store.uploadArtifact(id, op.path, readFileSync(op.file));
    else await store.endRun(id, op.status, op.time);
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      if (!(e instanceof TrackingUnavailableError) || !this.fallback || this.failure) throw e;
      this.failure = this.store.uri;
      log(`tracking: ${e.message}; continuing in the local store ${this.fallback.root} (nothing is lost)`);
      this.store = this.fallback;
      for (const h of this.runs) {
        await this.create(h);
        for (const op of h.journal) await this.send(this.store, h.id!, op);
      }
    }
  }
}
