import { randomBytes } from "node:crypto";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import { UserError, log, sha256 } from "@mle/core";
import { parseQueueUrl, type QueueAddress } from "./address.ts";
import { cancelChannel, keys, type JobEnvelope } from "./keys.ts";

/** One submitting command (`pnpm compare --queue …`) and the jobs it enqueued: what `pnpm queue` shows and resumes. */
export interface Submission {
  id: string;
  /** The command line after `pnpm`, e.g. ["compare", "experiments/ci.yaml", "--queue", "redis://…"]: `pnpm queue wait` runs it again. */
  command: string[];
  cwd: string;
  created: string;
  state: "open" | "cancelled";
}

export type JobState = "waiting" | "active" | "delayed" | "prioritized" | "waiting-children" | "completed" | "failed" | "unknown" | "removed";

/** What a submitter shows of a job. */
export interface JobView {
  id: string;
  label: string;
  state: JobState;
  /** Starts, including those after a stall (a worker that died); failures that were retried. */
  attemptsStarted: number;
  attemptsMade: number;
  failedReason?: string;
  progress?: unknown;
  worker?: string;
}

/** A job that failed on every attempt (or could not be retried): its error, kept by the queue. */
export class JobFailedError extends UserError {
  override name = "JobFailedError";
  constructor(readonly job: JobView) {
    super(`${job.label} (job ${job.id}) failed after ${job.attemptsStarted} attempt${job.attemptsStarted === 1 ? "" : "s"}: ${job.failedReason ?? "no reason kept"}`, `pnpm queue status shows every job of the submission; fix the cause and submit again`);
  }
}

/** The submitting side of the queue: submissions, jobs with stable ids, waiting on outcomes, status and cancel. */
export class WorkQueue {
  private readonly queue: Queue;
  private constructor(readonly address: QueueAddress, private readonly redis: Redis) {
    this.queue = new Queue(address.name, { connection: address.redis, prefix: address.prefix });
    this.queue.on("error", () => undefined); // reconnects by itself (a Redis restart); commands wait meanwhile
  }

  /** Connects, or says clearly that nothing answers at the address. */
  static async connect(url: string, o: { waitSeconds?: number } = {}): Promise<WorkQueue> {
    const address = parseQueueUrl(url);
    // A Redis restarting (or a moment's network loss) is waited out for `waitSeconds`; nothing there is an error.
    const until = Date.now() + (o.waitSeconds ?? 20) * 1000;
    for (let said = false; ; said = true) {
      const redis = new Redis({ ...address.redis, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null }).on("error", () => undefined);
      try {
        await redis.connect();
        await redis.ping();
        redis.disconnect();
        break;
      } catch (e) {
        redis.disconnect();
        if (Date.now() > until) throw new UserError(`no Redis answers at ${address.url} (${(e as Error).message})`, "start one (redis-server), or check --queue's host, port and password");
        if (!said) log(`queue: waiting for Redis at ${address.url} (${(e as Error).message})`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    // From here on ioredis reconnects by itself; an error event without a listener would only be printed as unhandled.
    return new WorkQueue(address, new Redis(address.redis).on("error", () => undefined));
  }

  /** A new submission, or (with `id`) the one being resumed. */
  async submission(command: string[], cwd: string, id?: string): Promise<Submission> {
    if (id) {
      const found = await this.getSubmission(id);
      if (!found) throw new UserError(`no submission ${id} in ${this.address.url}`, "pnpm queue status lists them");
      if (found.state === "cancelled") throw new UserError(`submission ${id} was cancelled`, "submit the command again for a new one");
      return found;
    }
    const sub: Submission = { id: randomBytes(4).toString("hex"), command, cwd, created: new Date().toISOString(), state: "open" };
    const k = keys(this.address);
    await this.redis.multi().hset(k.submission(sub.id), { json: JSON.stringify(sub) }).zadd(k.submissions, Date.now(), sub.id).exec();
    return sub;
  }

  /** A value kept with the submission (e.g. the MLflow run a resumed command reopens). */
  async note(submissionId: string, key: string, value?: string): Promise<string | null> {
    const k = keys(this.address).submission(submissionId);
    if (value !== undefined) await this.redis.hset(k, { [`note:${key}`]: value });
    return value ?? (await this.redis.hget(k, `note:${key}`));
  }

  /** Every note of a submission whose key starts with `prefix`. */
  async notes(submissionId: string, prefix: string): Promise<Record<string, string>> {
    const all = await this.redis.hgetall(keys(this.address).submission(submissionId));
    return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`note:${prefix}`)).map(([k, v]) => [k.slice(5), v]));
  }

  async getSubmission(id: string): Promise<Submission | null> {
    const json = await this.redis.hget(keys(this.address).submission(id), "json");
    return json ? (JSON.parse(json) as Submission) : null;
  }

  /** Newest first. */
  async listSubmissions(limit = 20): Promise<Submission[]> {
    const ids = await this.redis.zrevrange(keys(this.address).submissions, 0, limit - 1);
    return (await Promise.all(ids.map((id) => this.getSubmission(id)))).filter((s): s is Submission => s !== null);
  }

  /**
   * Enqueues a job under a stable id (the submission and `key`): enqueuing the same key again, as a resumed
   * submission does, finds the job that is already there (running, done or failed) instead of adding another.
   */
  async enqueue<T>(sub: Submission, key: string, label: string, payload: T, o: { attempts?: number } = {}): Promise<string> {
    const id = `${sub.id}-${sha256(key).slice(0, 16)}`;
    const data: JobEnvelope<T> = { submission: sub.id, label, payload, memory: {} };
    await this.queue.add(label.slice(0, 100), data, {
      jobId: id,
      attempts: o.attempts ?? 3,
      backoff: { type: "exponential", delay: 5000 },
      removeOnComplete: false,
      removeOnFail: false,
    });
    await this.redis.sadd(keys(this.address).jobs(sub.id), id);
    return id;
  }

  async view(id: string): Promise<JobView> {
    // The state first, then the job: a job read before its state could miss the failure it reports.
    const state = (await this.queue.getJobState(id)) as JobState;
    const job = await this.queue.getJob(id);
    if (!job || state === "unknown") return { id, label: job ? (job.data as JobEnvelope<unknown>).label : "?", state: "removed", attemptsStarted: 0, attemptsMade: 0 };
    return viewOf(job, state);
  }

  /**
   * The job's return value, once it completes; `onChange` hears each new state or progress. Polls (every
   * `pollMs`) rather than listening to events, so a Redis restart or a submitter that joined late misses nothing.
   */
  async outcome<R>(id: string, onChange?: (v: JobView) => void, pollMs = 1000): Promise<R> {
    let last = "";
    for (;;) {
      const v = await this.view(id);
      const seen = JSON.stringify([v.state, v.attemptsStarted, v.progress]);
      if (seen !== last) onChange?.(v);
      last = seen;
      if (v.state === "completed") return (await this.queue.getJob(id))!.returnvalue as R;
      if (v.state === "failed") throw new JobFailedError(v);
      if (v.state === "removed") throw new UserError(`job ${id} is no longer in the queue (cancelled, or removed by hand)`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async jobs(submissionId: string): Promise<JobView[]> {
    const ids = await this.redis.smembers(keys(this.address).jobs(submissionId));
    return Promise.all(ids.sort().map((id) => this.view(id)));
  }

  /** Removes the submission's jobs that have not started, and asks the workers running the others to stop them. */
  async cancel(submissionId: string): Promise<{ removed: number; stopped: number }> {
    const sub = await this.getSubmission(submissionId);
    if (!sub) throw new UserError(`no submission ${submissionId} in ${this.address.url}`, "pnpm queue status lists them");
    await this.redis.hset(keys(this.address).submission(sub.id), { json: JSON.stringify({ ...sub, state: "cancelled" }) });
    let removed = 0;
    let stopped = 0;
    const stop = async (id: string) => {
      await this.redis.publish(cancelChannel(this.address), JSON.stringify({ jobId: id }));
      stopped++;
    };
    // Waiting jobs first, so that none starts in the place of a job being stopped.
    const views = await this.jobs(sub.id);
    for (const v of views.filter((x) => !["active", "completed", "failed", "removed"].includes(x.state))) {
      const job = await this.queue.getJob(v.id);
      // It may have started meanwhile: then it is locked, and stopped like the running ones.
      await job?.remove().then(() => removed++, () => stop(v.id));
    }
    for (const v of views.filter((x) => x.state === "active")) await stop(v.id);
    return { removed, stopped };
  }

  /** The workers connected now (BullMQ names their connections). */
  async workers(): Promise<string[]> {
    return (await this.queue.getWorkers()).map((w) => w.name ?? w.addr ?? "?");
  }

  async close(): Promise<void> {
    // Closing a queue whose connection is still being set up fails that setup with "Connection is closed".
    await this.queue.waitUntilReady().catch(() => undefined);
    await this.queue.close();
    await this.redis.quit().catch(() => undefined);
  }
}

function viewOf(job: Job, state: JobState): JobView {
  const data = job.data as JobEnvelope<unknown>;
  return {
    id: job.id!,
    label: data.label,
    state,
    attemptsStarted: job.attemptsStarted ?? 0,
    attemptsMade: job.attemptsMade ?? 0,
    failedReason: job.failedReason || undefined,
    progress: job.progress === 0 ? undefined : job.progress,
    worker: (data.memory.worker as string | undefined) ?? undefined,
  };
}
