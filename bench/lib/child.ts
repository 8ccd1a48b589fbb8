import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const tsx = join(benchDir, "..", "node_modules", ".bin", "tsx");

export interface Measured {
  seconds: number;
  maxRssMiB: number;
  [k: string]: unknown;
}

/**
 * Runs `bench/tasks/<task>.ts` in a fresh Node process, so each figure has its own heap and
 * peak RSS; the task prints one JSON line with what it measured.
 */
export function runTask(task: string, args: string[] = [], env: Record<string, string> = {}): Measured {
  const r = spawnSync(tsx, [join(benchDir, "tasks", `${task}.ts`), ...args], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new BenchError(`task ${task} ${args.join(" ")} failed (exit ${r.status}):\n${tail(r.stderr)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Measured;
}

/** A bench step that failed: printed as a short message, not a stack. */
export class BenchError extends Error {}

/** The last lines of a child's stderr that say something, each cut short (a minified bundle is one huge line). */
export function tail(stderr: string, lines = 12): string {
  return stderr.split("\n").filter((l) => l.trim() && !/^npm warn|^\s+at /.test(l)).slice(-lines).map((l) => (l.length > 240 ? `${l.slice(0, 240)} …` : l)).map((l) => `  ${l}`).join("\n");
}

/** Inside a task: report time and this process's peak RSS. */
export function report(seconds: number, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...extra })}\n`);
}

/** A Python with the bench requirements: $BENCH_PYTHON, bench/.venv, or none. */
export function benchPython(): string | null {
  for (const py of [process.env.BENCH_PYTHON, join(benchDir, ".venv", "bin", "python"), "python3"]) {
    if (!py) continue;
    const r = spawnSync(py, ["-c", "import pandas, polars, numpy"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return null;
}

export function runPython(py: string, script: string, args: string[]): Measured {
  const r = spawnSync(py, [join(benchDir, "reference", script), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    const missing = /ModuleNotFoundError: No module named '([^']+)'/.exec(r.stderr)?.[1];
    throw new BenchError(missing ? `the peer ${script} needs the Python package "${missing}": pip install -r bench/requirements.txt (or set BENCH_PYTHON to a Python that has it)` : `${script} failed (exit ${r.status}):\n${tail(r.stderr)}`);
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Measured;
}
