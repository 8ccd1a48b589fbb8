import { UserError } from "@mle/core";
import type { RedisOptions } from "ioredis";

/** Where the work queue lives: a Redis server, a database number, a key prefix and the queue's name. */
export interface QueueAddress {
  /** As given, without a password (safe to print). */
  url: string;
  redis: RedisOptions;
  /** Every key starts with it (BullMQ's prefix): tests and teams share a Redis without meeting. */
  prefix: string;
  /** The BullMQ queue the runs go to. */
  name: string;
}

const FORM = "redis://[:password@]host:port[/db][?prefix=mle&queue=runs]";

/** `redis://127.0.0.1:6379/2?prefix=team-a`: the address `--queue` takes. */
export function parseQueueUrl(url: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue: "${url}" is not a URL`, `expected ${FORM}`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new UserError(`--queue: expected a redis:// URL, found "${u.protocol}//"`, `expected ${FORM}`);
  const db = u.pathname && u.pathname !== "/" ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new UserError(`--queue: the database number must be a whole number, found "${u.pathname.slice(1)}"`, `expected ${FORM}`);
  const port = u.port ? Number(u.port) : 6379;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const prefix = u.searchParams.get("prefix") ?? "mle";
  const name = u.searchParams.get("queue") ?? "runs";
  if (!/^[\w.-]+$/.test(prefix) || !/^[\w.-]+$/.test(name)) throw new UserError(`--queue: prefix and queue names take letters, digits, "_", "-" and "." only (found prefix "${prefix}", queue "${name}")`);
  u.password = "";
  return {
    url: u.toString(),
    // maxRetriesPerRequest null: a worker waits out a Redis restart instead of failing its commands.
    redis: { host: u.hostname || "127.0.0.1", port, db, password, username: u.username || undefined, maxRetriesPerRequest: null, ...(u.protocol === "rediss:" ? { tls: {} } : {}) },
    prefix,
    name,
  };
}
