import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { noMirrorReason, repoRoot, tempDir, testMirror } from "@mle/core/testing";

const mirror = testMirror();
const tmp = tempDir();
afterAll(tmp.cleanup);
let group: number | null = null;
afterEach(() => {
  // Whatever happened, nothing the test started outlives it.
  if (group !== null) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // already gone
    }
  }
  group = null;
});

/** Polls until `ready()` holds (an event, not a guessed time); fails after `seconds`. */
async function waitFor(ready: () => boolean, seconds: number, what: string): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The processes of a group, innermost (no child in the group) last. */
function groupProcesses(pgid: number): { pid: number; ppid: number }[] {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,pgid="], { encoding: "utf8" }).trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
  const mine = rows.filter((r) => r[2] === pgid).map(([pid, ppid]) => ({ pid, ppid }));
  return mine.sort((a, b) => Number(mine.some((m) => m.ppid === a.pid)) - Number(mine.some((m) => m.ppid === b.pid))).reverse();
}

/** Runs with status and end time, from the ./mlruns file store. */
function runs(store: string): { status: number; end: unknown }[] {
  const out: { status: number; end: unknown }[] = [];
  for (const exp of readdirSync(store)) {
    if (!existsSync(join(store, exp, "meta.yaml"))) continue;
    for (const run of readdirSync(join(store, exp))) {
      const meta = join(store, exp, run, "meta.yaml");
      if (!existsSync(meta) || run === "meta.yaml") continue;
      const text = readFileSync(meta, "utf8");
      out.push({ status: Number(/status: (\d+)/.exec(text)?.[1]), end: /end_time: (\S+)/.exec(text)?.[1] });
    }
  }
  return out;
}

/**
 * A real `pnpm exp` (long BPR training), interrupted once its first epoch is tracked: by SIGINT to the whole
 * process group (what a terminal's Ctrl-C sends), or to the innermost node process alone.
 */
describe.skipIf(!mirror)(`Ctrl-C during pnpm exp (skips when ${noMirrorReason})`, () => {
  for (const target of ["process group", "innermost node process"] as const) {
    it(`SIGINT to the ${target}: runs end KILLED, unfinished seeds are removed, exit 130`, async () => {
      const dir = join(tmp.dir, target.replace(/\W+/g, "-"));
      const [out, store] = [join(dir, "run"), join(dir, "mlruns")];
      const child: ChildProcess = spawn("pnpm", ["exp", "configs/bpr.yaml", "--out", out, "--set", "training.epochs=500", "--set", "training.earlyStopping.patience=0"], {
        cwd: repoRoot, detached: true, stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, MOVIELENS_MIRROR: mirror!, MOVIELENS_CACHE: join(tmp.dir, "cache"), MLFLOW_TRACKING_URI: store, CI: "1" },
      });
      group = child.pid!;
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      // pnpm itself may die of the SIGINT (a shell shows that as $? = 130, as for exit(130)).
      const exited = new Promise<number | null>((r) => child.on("exit", (code, signal) => r(code ?? (signal === "SIGINT" ? 130 : null))));
      // The event: the first epoch's training loss is in the tracked child run.
      await waitFor(() => existsSync(store) && readdirSync(store).some((e) => existsSync(join(store, e)) && readdirSync(join(store, e)).some((r) => existsSync(join(store, e, r, "metrics", "train_loss")))), 240, "the first tracked epoch");
      const pid = target === "process group" ? -group : groupProcesses(group).pop()!.pid;
      process.kill(pid, "SIGINT");
      const code = await exited;
      await waitFor(() => !alive(group!), 60, "every process of the run to exit");
      expect(code, stderr).toBe(130);
      expect(stderr).toContain("interrupted (SIGINT): ending the runs as KILLED");
      const r = runs(store);
      expect(r.length).toBeGreaterThanOrEqual(2); // the parent and the first seed's child
      for (const run of r) expect(run, stderr).toMatchObject({ status: 5 }); // KILLED
      for (const run of r) expect(run.end).not.toBe("null");
      expect(existsSync(join(out, "results.json"))).toBe(false);
      expect(existsSync(join(out, "seed-1"))).toBe(false);
      expect(JSON.parse(readFileSync(join(out, "interrupted.json"), "utf8"))).toMatchObject({ signal: "SIGINT", finishedSeeds: [] });
    });
  }
});
