import { Worker } from "node:worker_threads";

/** Workers load TypeScript through tsx's loader, which works under tsx, Vitest and plain Node alike. */
const BOOT = `const { workerData } = require("node:worker_threads");
import(workerData.tsx).then((m) => { m.register(); return import(workerData.entry); });`;

/** A worker thread running the TypeScript module `entry` (a file URL), with `data` as its workerData. */
export function startTsWorker(entry: URL, data: object): Worker {
  return new Worker(BOOT, { eval: true, workerData: { ...data, tsx: import.meta.resolve("tsx/esm/api"), entry: entry.href } });
}
