import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "@mle/core";
import { tempDir } from "@mle/core/testing";
import { JobFailedError, WorkQueue, parseQueueUrl, startWorker, type RunningWorker } from "./index.ts";
import { noRedisReason, redisServerBin, startRedis, stopAllRedis, type TestRedis } from "./test-redis.ts";

describe("parseQueueUrl", () => {
  it("reads host, port, database, prefix and queue name; keeps the password out of the printable URL", () => {
    const a = parseQueueUrl("redis://:s3cret@10.0.0.5:6380/3?prefix=team-a&queue=big");
    expect([a.redis.host, a.redis.port, a.redis.db, a.redis.password, a.prefix, a.name]).toEqual(["10.0.0.5", 6380, 3, "s3cret", "team-a", "big"]);
    expect(a.url).not.toContain("s3cret");
    expect(parseQueueUrl("redis://127.0.0.1").redis.port).toBe(6379);
  });

  it("names what it expected on a bad address", () => {
    expect(() => parseQueueUrl("http://127.0.0.1:6379")).toThrow(/expected a redis:\/\/ URL, found "http:\/\/"/);
    expect(() => parseQueueUrl("127.0.0.1:6379")).toThrow(UserError);
    expect(() => parseQueueUrl("redis://h/x")).toThrow(/database number/);
  });

  it("a queue nobody serves is named once the wait is over", async () => {
    await expect(WorkQueue.connect("redis://127.0.0.1:1", { waitSeconds: 0.3 })).rejects.toThrow(/no Redis answers at redis:\/\/127\.0\.0\.1:1/);
  });
});

const hasRedis = redisServerBin() !== null;
const tmp = tempDir("mle-queue-");
let redis: TestRedis;
const workers: RunningWorker[] = [];
beforeAll(async () => {
  if (hasRedis) redis = await startRedis(join(tmp.dir, "redis"));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(true)));
  await stopAllRedis();
  tmp.cleanup();
});

describe.skipIf(!hasRedis)(`the work queue on a real Redis of the test's own (skips when ${noRedisReason})`, () => {
  const url = (prefix: string) => `${redis.url}?prefix=${prefix}`;

  it("runs a job once under a stable id, retries a crash with its error kept, and fails a UserError at once", async () => {
    const q = await WorkQueue.connect(url("a"));
    let flaky = 0;
    workers.push(await startWorker<{ n: number; kind: string }, number>(url("a"), async (p, ctx) => {
      if (p.kind === "flaky" && ++flaky < 2) throw new Error("disk hiccup");
      if (p.kind === "bad") throw new UserError("config.yaml: model.factors expected a positive integer");
      await ctx.progress({ step: 1 });
      return p.n * 2;
    }, { lockSeconds: 5, stalledSeconds: 2 }));
    const sub = await q.submission(["exp", "x.yaml"], "/tmp");
    const id = await q.enqueue(sub, "twice", "double 21", { n: 21, kind: "ok" });
    expect(await q.enqueue(sub, "twice", "double 21", { n: 21, kind: "ok" })).toBe(id);
    expect(await q.outcome<number>(id, undefined, 100)).toBe(42);
    const flakyId = await q.enqueue(sub, "flaky", "flaky", { n: 1, kind: "flaky" }, { attempts: 3 });
    // Exponential backoff starts at 5 s: the second attempt succeeds.
    expect(await q.outcome<number>(flakyId, undefined, 100)).toBe(2);
    expect((await q.view(flakyId)).attemptsStarted).toBe(2);
    const badId = await q.enqueue(sub, "bad", "bad config", { n: 0, kind: "bad" });
    const err = await q.outcome(badId, undefined, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect((err as JobFailedError).message).toMatch(/bad config .* failed after 1 attempt: config\.yaml: model\.factors expected a positive integer/);
    expect((await q.jobs(sub.id)).map((j) => j.state).sort()).toEqual(["completed", "completed", "failed"]);
    await expect(q.submission([], "", "nope")).rejects.toThrow(/no submission nope/);
    await q.close();
  });

  it("cancel removes waiting jobs and aborts the running one, which is not retried", async () => {
    const q = await WorkQueue.connect(url("b"));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    workers.push(await startWorker<{ n: number }, number>(url("b"), async (p, ctx) => {
      started();
      await new Promise<void>((_, reject) => ctx.signal.addEventListener("abort", () => reject(new UserError(`cancelled: ${String(ctx.signal.reason)}`))));
      return p.n;
    }, { lockSeconds: 5, stalledSeconds: 2 }));
    const sub = await q.submission(["compare", "e.yaml"], "/tmp");
    const first = await q.enqueue(sub, "1", "first", { n: 1 });
    const second = await q.enqueue(sub, "2", "second", { n: 2 });
    await running;
    expect(await q.cancel(sub.id)).toEqual({ removed: 1, stopped: 1 });
    await expect(q.outcome(first, undefined, 100)).rejects.toThrow(/failed after 1 attempt: cancelled: cancelled by pnpm queue cancel/);
    expect((await q.view(second)).state).toBe("removed");
    await expect(q.submission([], "", sub.id)).rejects.toThrow(/was cancelled/);
    await q.close();
  });

  it("a job survives a Redis restart: the worker and the waiting submitter carry on", async () => {
    const q = await WorkQueue.connect(url("c"));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    workers.push(await startWorker<{ n: number }, number>(url("c"), async (p) => {
      started();
      await gate;
      return p.n + 1;
    }, { lockSeconds: 30, stalledSeconds: 10 }));
    const sub = await q.submission(["exp", "x.yaml"], "/tmp");
    const id = await q.enqueue(sub, "k", "restart", { n: 9 });
    const result = q.outcome<number>(id, undefined, 100);
    await running;
    await redis.restart();
    release();
    expect(await result).toBe(10);
    await q.close();
  });
});
