import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { UserError } from "@mle/core";
import { WorkQueue, type JobView } from "@mle/queue";
import { MlflowRestClient } from "@mle/tracking";
import { table } from "../format.ts";

const RESUMABLE = new Set(["exp", "compare", "tune"]);

function queueUrl(o: { queue?: string }): string {
  const url = o.queue ?? process.env.MLE_QUEUE;
  if (!url) throw new UserError("pnpm queue needs --queue <url> (or $MLE_QUEUE)", "e.g. --queue redis://127.0.0.1:6379");
  return url;
}

async function withQueue<T>(o: { queue?: string }, work: (q: WorkQueue) => Promise<T>): Promise<T> {
  const q = await WorkQueue.connect(queueUrl(o));
  try {
    return await work(q);
  } finally {
    await q.close();
  }
}

function counts(jobs: JobView[]): string {
  const by = new Map<string, number>();
  for (const j of jobs) by.set(j.state, (by.get(j.state) ?? 0) + 1);
  return [...by].map(([s, n]) => `${n} ${s}`).join(", ") || "no jobs";
}

/** `pnpm queue status|wait|cancel`: what a submission is doing, following it to its end, stopping it. */
export function queueCommand(): Command {
  const cmd = new Command("queue").description("submissions on the work queue: status, wait (resume), cancel");
  cmd.command("status")
    .description("the latest submissions and the connected workers, or one submission's jobs")
    .argument("[id]", "a submission id (printed when it was submitted)")
    .option("--queue <url>", "redis://host:port (default $MLE_QUEUE)")
    .action(async (id: string | undefined, o: { queue?: string }) => withQueue(o, async (q) => {
      if (!id) {
        const subs = await q.listSubmissions();
        const rows = await Promise.all(subs.map(async (s) => [s.id, s.created.slice(0, 19).replace("T", " "), s.state, `pnpm ${s.command.filter((a, i, all) => a !== "--queue" && all[i - 1] !== "--queue").join(" ")}`, counts(await q.jobs(s.id))]));
        const workers = await q.workers();
        process.stdout.write(`${subs.length ? table(["id", "submitted (UTC)", "state", "command", "jobs"], rows, ["l", "l", "l", "l", "l"]) : "no submissions"}\n\nworkers connected: ${workers.length}${workers.length ? ` (${workers.join(", ")})` : ""}\n`);
        return;
      }
      const sub = await q.getSubmission(id);
      if (!sub) throw new UserError(`no submission ${id} on ${q.address.url}`, "pnpm queue status lists them");
      const jobs = await q.jobs(id);
      process.stdout.write(`submission ${id} (${sub.state}): pnpm ${sub.command.join(" ")}\n${counts(jobs)}\n\n`);
      process.stdout.write(`${table(["job", "what", "state", "attempts", "error"], jobs.map((j) => [j.id, j.label, j.state, String(j.attemptsStarted), j.failedReason?.slice(0, 120) ?? ""]), ["l", "l", "l", "r", "l"])}\n`);
    }));
  cmd.command("wait")
    .description("follow a submission to its end (also after the submitting command returned or died): reruns its command, which finds its jobs in the queue and finishes their work (reports, tuning's best config)")
    .argument("<id>", "a submission id")
    .option("--queue <url>", "redis://host:port (default $MLE_QUEUE)")
    .action(async (id: string, o: { queue?: string }) => {
      const sub = await withQueue(o, (q) => q.getSubmission(id));
      if (!sub) throw new UserError(`no submission ${id} on ${queueUrl(o)}`, "pnpm queue status lists them");
      if (sub.state === "cancelled") throw new UserError(`submission ${id} was cancelled`);
      const [command, ...args] = sub.command;
      if (!RESUMABLE.has(command)) throw new UserError(`submission ${id} was made by "${command}", which cannot be resumed`);
      const tsx = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
      const bin = fileURLToPath(new URL(`../bin/${command}.ts`, import.meta.url));
      const child = spawn(tsx, [bin, ...args, "--queue-id", id], { cwd: sub.cwd, stdio: "inherit" });
      const code = await new Promise<number>((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 130 : 1))));
      process.exitCode = code;
    });
  cmd.command("cancel")
    .description("remove a submission's waiting jobs and stop its running ones (their MLflow runs end KILLED)")
    .argument("<id>", "a submission id")
    .option("--queue <url>", "redis://host:port (default $MLE_QUEUE)")
    .action(async (id: string, o: { queue?: string }) => withQueue(o, async (q) => {
      const r = await q.cancel(id);
      // The parent MLflow runs the submitting command opened end KILLED too (the seeds' runs end as their workers stop).
      let ended = 0;
      for (const note of Object.values(await q.notes(id, "parent:"))) {
        const { id: runId, uri } = JSON.parse(note) as { id: string; uri: string };
        if (!/^https?:\/\//.test(uri)) continue;
        const client = new MlflowRestClient(uri);
        if ((await client.getRun(runId)).info.status === "RUNNING") (await client.endRun(runId, "KILLED", Date.now()), ended++);
      }
      process.stdout.write(`cancelled ${id}: ${r.removed} waiting job${r.removed === 1 ? "" : "s"} removed, ${r.stopped} running job${r.stopped === 1 ? "" : "s"} asked to stop${ended ? `, ${ended} parent MLflow run${ended === 1 ? "" : "s"} ended KILLED` : ""}\n`);
    }));
  return cmd;
}
