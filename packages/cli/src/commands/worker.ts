import { Command } from "commander";
import { UserError, log, setQuiet } from "@mle/core";
import { initBackend } from "@mle/models";
import { startWorker } from "@mle/queue";
import { runJob } from "../queue/job-handler.ts";

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name}: expected a positive number, found "${v}"`);
  return n;
};

/** `pnpm worker`: takes runs and tuning trials from the queue and runs them as `pnpm exp` would. */
export function workerCommand(): Command {
  return new Command("worker")
    .description("take runs and tuning trials from a work queue (BullMQ on Redis) and run them exactly as `pnpm exp` does; run one per machine (or more)")
    .option("--queue <url>", "the queue, redis://host:port[/db][?prefix=mle&queue=runs] (default $MLE_QUEUE)")
    .option("--concurrency <n>", "jobs at once in this process (training already uses every core: 1 unless runs are tiny)", positive("--concurrency"), 1)
    .option("--lock-seconds <s>", "a job whose worker stops renewing its lock this long goes back to the queue", positive("--lock-seconds"), 60)
    .option("--stalled-seconds <s>", "how often this worker looks for jobs whose worker died", positive("--stalled-seconds"), 30)
    .option("--name <name>", "how this worker appears in pnpm queue status and in MLflow (default host:pid)")
    .option("-q, --quiet", "no progress output")
    .action(async (o: { queue?: string; concurrency: number; lockSeconds: number; stalledSeconds: number; name?: string; quiet?: boolean }) => {
      if (o.quiet) setQuiet(true);
      const url = o.queue ?? process.env.MLE_QUEUE;
      if (!url) throw new UserError("pnpm worker needs --queue <url> (or $MLE_QUEUE)", "e.g. pnpm worker --queue redis://127.0.0.1:6379");
      await initBackend();
      const worker = await startWorker(url, runJob, { concurrency: o.concurrency, lockSeconds: o.lockSeconds, stalledSeconds: o.stalledSeconds, name: o.name });
      // Idle, a signal closes the worker; during a job the run's own guard ends its MLflow runs KILLED and exits, and
      // the job goes back to the queue when its lock expires.
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log(`${worker.name}: ${signal}: closing`);
          void worker.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
