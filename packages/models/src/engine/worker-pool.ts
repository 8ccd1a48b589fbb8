import type { Worker } from "node:worker_threads";
import { startTsWorker } from "@mle/core";

/**
 * Worker threads that share memory with the main thread (SharedArrayBuffers in `data`) and answer one
 * message with one reply. The main thread does a share of each job itself, so `threads` threads run.
 */
export class WorkerPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(entry: URL, threads: number, data: object): Promise<WorkerPool> {
    const workers = Array.from({ length: Math.max(0, threads - 1) }, () => startTsWorker(entry, data));
    await Promise.all(workers.map((w) => new Promise((ok, fail) => (w.once("online", ok), w.once("error", fail)))));
    return new WorkerPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends messages[k] to worker k; resolves with their replies in order. */
  run<T>(messages: object[]): Promise<T[]> {
    return Promise.all(this.workers.map((w, k) => new Promise<T>((ok, fail) => {
      w.once("error", fail);
      w.once("message", (reply: T) => (w.off("error", fail), ok(reply)));
      w.postMessage(messages[k]);
    })));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A typed array copied into shared memory (workers see the same values and writes). */
export function shared<T extends Float32Array | Float64Array | Int32Array | Uint32Array>(a: T): T {
  const ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}
