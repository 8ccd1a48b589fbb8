import { loadDataset } from "@mle/data";
import { log, sha256, stableStringify } from "@mle/core";
import { WorkQueue, type JobView, type Submission } from "@mle/queue";
import { loadConfig } from "../config/load.ts";
import { configHash, executeRun, type RunExecutor, type RunOutcome, type RunRequest } from "../runner/executor.ts";
import type { SeedJob } from "./job-handler.ts";

/**
 * Runs requests as jobs on a BullMQ queue: each with a stable id within the submission (so a resumed submission
 * finds its jobs instead of adding new ones), the config hash and data checksum the workers must match, and
 * progress printed as the workers report it.
 */
export class QueueExecutor implements RunExecutor {
  readonly parallel = true;
  /** Jobs enqueued by this process (a detached submission exits once they are all in). */
  enqueued = 0;
  private lastEnqueue = Date.now();
  private readonly checksums = new Map<string, Promise<string>>();

  readonly submissionId: string;
  constructor(readonly queue: WorkQueue, readonly submission: Submission, private readonly o: { attempts?: number } = {}) {
    this.submissionId = submission.id;
  }

  /**
   * The run's data, split, parent MLflow run, aggregate and report happen here; each seed is a job for the workers,
   * all at once, and writes its result into the (shared) runs folder.
   */
  async run(r: RunRequest): Promise<RunOutcome> {
    const { config } = loadConfig(r.configFile, r.overrides);
    const dataChecksum = await this.checksum(config.data.dataset, config.data.mirror, config.data.cacheDir);
    const request: RunRequest = { ...r, expect: { configHash: configHash(config), dataChecksum } };
    // A resumed submission (pnpm queue wait) reopens the parent MLflow run the first command opened.
    const parentNote = `parent:${sha256(stableStringify({ configFile: r.configFile, overrides: r.overrides, outDir: r.outDir })).slice(0, 16)}`;
    const earlier = await this.queue.note(this.submission.id, parentNote);
    return executeRun({ ...r, tags: [...(r.tags ?? []), { key: "mle.queueSubmission", value: this.submission.id }] }, {
      resumeParentRunId: earlier ? (JSON.parse(earlier) as { id: string }).id : undefined,
      onRunStarted: async (id, uri) => void (await this.queue.note(this.submission.id, parentNote, JSON.stringify({ id, uri }))),
      seedJobs: async (seed, parentRunId) => {
        const job: SeedJob = { request, seed, parentRunId };
        // The key names what is run and where its files go: not the parent run (a resumed submission opens a new one).
        const key = stableStringify({ configFile: r.configFile, overrides: r.overrides, outDir: r.outDir, prune: r.prune, seed });
        const id = await this.queue.enqueue(this.submission, key, `${r.label} seed ${seed}`, job, { attempts: this.o.attempts });
        if (this.enqueued++ === 0) await this.warnIfNoWorkers();
        this.lastEnqueue = Date.now();
        await this.queue.outcome(id, (v) => log(describe(v)));
      },
    });
  }

  /** Resolves once at least one job is in and none was added for `quietMs`: a detached submission can return. */
  async settled(quietMs = 1500): Promise<void> {
    while (this.enqueued === 0 || Date.now() - this.lastEnqueue < quietMs) await new Promise((r) => setTimeout(r, 200));
  }

  /** Jobs wait for a worker: say so at once when none is connected, rather than wait in silence. */
  private async warnIfNoWorkers(): Promise<void> {
    const workers = await this.queue.workers();
    if (!workers.length) log(`queue: no worker is connected to ${this.queue.address.url} yet; the jobs wait for one: pnpm worker --queue ${this.queue.address.url}`);
    else log(`queue: ${workers.length} worker${workers.length === 1 ? "" : "s"} connected (${workers.join(", ")})`);
  }

  /** The release checksum as this machine sees it, computed once per release. */
  private checksum(dataset: string, mirror?: string, cacheDir?: string): Promise<string> {
    const k = `${dataset}\u0000${mirror ?? ""}\u0000${cacheDir ?? ""}`;
    if (!this.checksums.has(k)) this.checksums.set(k, loadDataset(dataset, { mirror, cacheDir }).then((l) => l.dataset.checksum));
    return this.checksums.get(k)!;
  }
}

/** One line per change a worker reports: state, worker, attempt and epoch (the label names the seed). */
export function describe(v: JobView): string {
  const p = (v.progress ?? {}) as { epoch?: number; valid?: number; worker?: string };
  const epoch = v.state === "active" && p.epoch ? `, epoch ${p.epoch}${p.valid !== undefined ? ` (valid ${p.valid.toFixed(4)})` : ""}` : "";
  const attempt = v.attemptsStarted > 1 ? `, attempt ${v.attemptsStarted}` : "";
  const worker = v.state === "active" && (p.worker ?? v.worker) ? ` on ${p.worker ?? v.worker}` : "";
  return `queue: ${v.label} ${v.state}${worker}${attempt}${epoch}`;
}
