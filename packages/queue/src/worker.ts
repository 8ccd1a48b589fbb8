import { hostname } from "node:os";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { UserError, log } from "@mle/core";
import { parseQueueUrl } from "./address.ts";
import { cancelChannel, type JobEnvelope } from "./keys.ts";

/** What a handler knows of the job it runs. */
export interface JobContext {
  jobId: string;
  label: string;
  /** 1 for the first start; more after a failure or after a worker died holding it (a stall). */
  attempt: number;
  /** What earlier attempts remembered (see `remember`). */
  memory: Record<string, unknown>;
  /** Kept with the job in Redis at once, so the next attempt reads it even if this process is killed next. */
  remember(patch: Record<string, unknown>): Promise<void>;
  progress(p: Record<string, unknown>): Promise<void>;
  /** Aborted by `pnpm queue cancel`. */
  signal: AbortSignal;
  worker: string;
}

export type JobHandler<T, R> = (payload: T, ctx: JobContext) => Promise<R>;

export interface WorkerOptions {
  /** Jobs this process runs at once (default 1: training uses every core already). */
  concurrency?: number;
  /**
   * How long a job's lock lives without renewal: a worker that dies (SIGKILL, power) loses its jobs to the other
   * workers once its lock expires and a stalled-job check runs (every `stalledSeconds`).
   */
  lockSeconds?: number;
  stalledSeconds?: number;
  /** Stalls a job survives before it is failed (default 2). */
  maxStalled?: number;
  name?: string;
}

export interface RunningWorker {
  name: string;
  /** Waits for the running jobs to end (`force`: not). */
  close(force?: boolean): Promise<void>;
}

/**
 * Takes jobs from the queue at `url` and runs `handler` on each. A `UserError` (bad config, data that differs)
 * fails the job at once; anything else is retried up to the job's attempts. The error is kept with the job.
 */
export async function startWorker<T, R>(url: string, handler: JobHandler<T, R>, o: WorkerOptions = {}): Promise<RunningWorker> {
  const address = parseQueueUrl(url);
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const worker = new Worker(address.name, async (job: Job, _token?: string, signal?: AbortSignal) => {
    const data = job.data as JobEnvelope<T>;
    const ctx: JobContext = {
      jobId: job.id!, label: data.label, attempt: job.attemptsStarted, memory: { ...data.memory }, worker: name,
      signal: signal ?? new AbortController().signal,
      remember: async (patch) => {
        data.memory = { ...data.memory, ...patch };
        await job.updateData(data);
      },
      progress: (p) => job.updateProgress({ ...p, worker: name }),
    };
    await ctx.remember({ worker: name });
    try {
      return await handler(data.payload, ctx);
    } catch (e) {
      if (e instanceof UserError) throw new UnrecoverableError(e.message);
      throw e;
    }
  }, {
    connection: address.redis,
    prefix: address.prefix,
    name,
    concurrency: o.concurrency ?? 1,
    lockDuration: (o.lockSeconds ?? 60) * 1000,
    stalledInterval: (o.stalledSeconds ?? 30) * 1000,
    maxStalledCount: o.maxStalled ?? 2,
    autorun: true,
  });
  worker.on("active", (job) => log(`${name}: started ${(job.data as JobEnvelope<T>).label} (job ${job.id}, attempt ${job.attemptsStarted})`));
  worker.on("completed", (job) => log(`${name}: finished ${(job.data as JobEnvelope<T>).label} (job ${job.id})`));
  worker.on("failed", (job, e) => log(`${name}: ${(job?.data as JobEnvelope<T> | undefined)?.label ?? "a job"} failed (job ${job?.id}, attempt ${job?.attemptsMade}): ${e.message}`));
  worker.on("stalled", (id) => log(`${name}: job ${id} stalled (its worker stopped renewing the lock): back in the queue, unless it has now stalled more than ${o.maxStalled ?? 2} times (then failed)`));
  worker.on("error", (e) => log(`${name}: queue error: ${e.message}`));
  // `pnpm queue cancel`: the worker running the job aborts its signal; others ignore the message.
  const sub = new Redis(address.redis).on("error", () => undefined);
  await sub.subscribe(cancelChannel(address));
  sub.on("message", (_channel, message: string) => {
    const { jobId } = JSON.parse(message) as { jobId: string };
    if (worker.cancelJob(jobId, "cancelled by pnpm queue cancel")) log(`${name}: cancelling job ${jobId}`);
  });
  await worker.waitUntilReady();
  log(`${name}: waiting for jobs on ${address.url} (queue "${address.name}", concurrency ${o.concurrency ?? 1})`);
  return {
    name,
    close: async (force = false) => {
      await worker.close(force);
      sub.disconnect();
    },
  };
}
