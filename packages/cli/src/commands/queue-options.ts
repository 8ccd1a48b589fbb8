import { Command, Option } from "commander";
import { UserError, log } from "@mle/core";
import { WorkQueue } from "@mle/queue";
import { QueueExecutor } from "../queue/queue-executor.ts";
import { localExecutor, type RunExecutor } from "../runner/executor.ts";

export interface QueueFlags {
  queue?: string;
  detach?: boolean;
  queueId?: string;
}

/** `--queue`, `--detach` (and the hidden `--queue-id` that `pnpm queue wait` resumes with). */
export function withQueueOptions(cmd: Command): Command {
  return cmd
    .option("--queue <url>", "enqueue the runs on a work queue (BullMQ on Redis, redis://host:port[/db]) for `pnpm worker`s to run, instead of running them here")
    .option("--detach", "with --queue: enqueue and return at once; `pnpm queue wait <id>` follows the submission and finishes its work later")
    .addOption(new Option("--queue-id <id>", "resume a submission (pnpm queue wait does this)").hideHelp());
}

/**
 * Runs `work` with the executor the flags ask for: here, or on the queue as submission `--queue-id` (resumed) or a
 * new one. Detached, the command returns once its first jobs are in; the rest waits for `pnpm queue wait`.
 */
export async function withExecutor(command: string, o: QueueFlags, work: (executor: RunExecutor) => Promise<void>): Promise<void> {
  const url = o.queue;
  if (!url) {
    if (o.detach || o.queueId) throw new UserError(`--${o.detach ? "detach" : "queue-id"} needs --queue <url>`);
    return work(localExecutor);
  }
  const queue = await WorkQueue.connect(url);
  const sub = await queue.submission([command, ...resumableArgs(url)], process.cwd(), o.queueId);
  log(`queue: submission ${sub.id} on ${queue.address.url}${o.queueId ? " (resumed)" : ""}`);
  const executor = new QueueExecutor(queue, sub);
  try {
    if (o.detach) {
      const main = work(executor);
      main.catch(() => undefined); // what fails after this returns, `pnpm queue wait` reports
      await Promise.race([executor.settled(), main]);
      process.stdout.write(`submitted ${sub.id}: ${executor.enqueued} job${executor.enqueued === 1 ? "" : "s"} on ${queue.address.url}\nfollow it: pnpm queue wait ${sub.id} --queue ${url}\n`);
      await queue.close();
      process.exit(0);
    }
    await work(executor);
  } finally {
    await queue.close();
  }
}

/** The command's arguments as `pnpm queue wait` should repeat them: without --detach and --queue-id, with the queue named. */
function resumableArgs(url: string): string[] {
  const out: string[] = [];
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--detach") continue;
    if (args[i] === "--queue-id") {
      i++;
      continue;
    }
    if (args[i].startsWith("--queue-id=")) continue;
    out.push(args[i]);
  }
  if (!out.some((a) => a === "--queue" || a.startsWith("--queue="))) out.push("--queue", url);
  return out;
}
