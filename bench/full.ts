import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { benchDir } from "./lib/child.ts";
import { ML_LATEST_SHAPE, writeSyntheticContent, writeSyntheticMovies, writeSyntheticRatings } from "./lib/synthetic.ts";
import { printTable } from "./lib/table.ts";

const root = join(benchDir, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const num = (s: string) => Number(s.replaceAll(",", ""));

/** What one `pnpm exp configs/full/<name>.yaml` showed before it was stopped. */
interface FullRun {
  config: string;
  shape?: string;
  /** Seconds until the last seed's split was written: ingest (or the columnar cache), preprocessing, splits. */
  dataReadyAt?: number;
  epochEnds: number[];
  progress: { t: number; done: number; total: number; unit: string }[];
  evaluations: string[];
  exit?: string;
  maxRssMiB: number;
}

/**
 * `pnpm bench full`: each `configs/full/` config on a synthetic release of the full ml-latest's shape (33.8M ratings,
 * tags and a genome of the real one's size; written once under bench/.data), tracking off, stopped after three
 * epochs, or after `BENCH_FULL_SECONDS` (default 120) of steady progress inside the first epoch, or once its first
 * seed is evaluated, or when it ends.
 * Prints per config: preparation time, seconds an epoch (measured between epoch lines, or the steady rate's
 * estimate), peak RSS of the process group, and what else it said (an evaluation pass, a refusal).
 * `BENCH_FULL=mf,ease` picks configs. docs/scale.md's per-epoch and memory figures were taken by the same procedure
 * (its end-to-end rows and EASE's smaller catalogues by hand, with `--set`).
 */
export async function benchFull(): Promise<void> {
  const mirror = join(benchDir, ".data", "full");
  const dir = join(mirror, "ml-latest");
  if (!existsSync(join(dir, "genome-scores.csv"))) {
    mkdirSync(dir, { recursive: true });
    console.log(`writing a synthetic ml-latest (${ML_LATEST_SHAPE.rows.toLocaleString("en-US")} ratings, tags, genome) to ${dir} ...`);
    writeSyntheticRatings(join(dir, "ratings.csv"), ML_LATEST_SHAPE);
    writeSyntheticMovies(join(dir, "movies.csv"), ML_LATEST_SHAPE);
    writeSyntheticContent(dir, ML_LATEST_SHAPE);
  }
  const picked = process.env.BENCH_FULL?.split(",").map((s) => s.trim());
  const configs = readdirSync(join(root, "configs", "full")).filter((f) => f.endsWith(".yaml")).map((f) => basename(f, ".yaml")).filter((n) => !picked || picked.includes(n));
  const budget = Number(process.env.BENCH_FULL_SECONDS ?? 120);
  const rows: string[][] = [];
  for (const config of configs) {
    console.log(`\n${config}: pnpm exp configs/full/${config}.yaml on the synthetic release ...`);
    const r = await runFull(config, mirror, budget);
    rows.push(summarise(r));
  }
  printTable("configs/full on a synthetic ml-latest-sized release (this machine; stopped early, so final passes are not in 'epoch')", ["config", "data after filtering", "data ready s", "epoch s", "how", "peak RSS GiB", "also"], rows);
}

function summarise(r: FullRun): string[] {
  let epoch = "";
  let how = "";
  if (r.epochEnds.length >= 2) {
    const gaps = r.epochEnds.slice(1).map((t, k) => t - r.epochEnds[k]);
    epoch = gaps.map((g) => g.toFixed(1)).join(", ");
    how = `between epoch lines (training + validation check)`;
  } else if (r.progress.length >= 2) {
    const [a, b] = r.progress.slice(-2);
    const rate = (b.done - a.done) / (b.t - a.t);
    epoch = (b.total / rate).toFixed(0);
    how = `estimated, training only: ${rate.toPrecision(3)} ${b.unit}/s over the last ${(b.t - a.t).toFixed(0)} s, ${b.total.toLocaleString("en-US")} an epoch`;
  }
  const prep = r.dataReadyAt === undefined ? "" : r.dataReadyAt.toFixed(0);
  return [r.config, r.shape ?? "", prep, epoch, how, (r.maxRssMiB / 1024).toFixed(1), [...r.evaluations, r.exit ?? ""].filter(Boolean).join("; ")];
}

async function runFull(config: string, mirror: string, budget: number): Promise<FullRun> {
  const out = join(benchDir, ".data", "full-runs", config);
  rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const now = () => (performance.now() - started) / 1000;
  const child = spawn(tsx, ["packages/cli/src/bin/exp.ts", `configs/full/${config}.yaml`, "--set", "tracking.enabled=false", "--out", out], {
    cwd: root, env: { ...process.env, MOVIELENS_MIRROR: mirror, CI: "true" }, detached: true, stdio: ["ignore", "ignore", "pipe"],
  });
  const r: FullRun = { config, epochEnds: [], progress: [], evaluations: [], maxRssMiB: 0 };
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const sampler = setInterval(() => {
    const ps = spawnSync("ps", ["-o", "rss=", "-g", String(child.pid)], { encoding: "utf8" });
    const kib = ps.stdout.split("\n").reduce((s, l) => s + (Number(l.trim()) || 0), 0);
    r.maxRssMiB = Math.max(r.maxRssMiB, kib / 1024);
  }, 2000);
  const hardCap = setTimeout(stop, (budget + 1800) * 1000);
  const ended = new Promise<void>((resolve) => child.on("close", () => resolve()));
  for await (const line of createInterface({ input: child.stderr! })) {
    const t = now();
    console.log(`  ${t.toFixed(1).padStart(7)} ${line}`);
    let m: RegExpExecArray | null;
    if (/^split \(/.test(line)) r.dataReadyAt = t;
    else if ((m = /^preprocessed: ([\d,]+) interactions, ([\d,]+) users × ([\d,]+) items/.exec(line))) r.shape = `${m[2]} users × ${m[3]} items, ${m[1]} interactions`;
    else if ((m = / epoch \d+: ([\d,]+)\/([\d,]+) (\w+) \(/.exec(line))) {
      r.progress.push({ t, done: num(m[1]), total: num(m[2]), unit: m[3] });
      if (t - r.progress[0].t >= budget) stop();
    } else if (/^epoch \d+: /.test(line)) {
      r.epochEnds.push(t);
      if (r.epochEnds.length >= 3) stop();
    } else if ((m = /^evaluate [^:]+: ([\d,]+) in ([\d.]+) s/.exec(line)) && num(m[1]) > 10_000) r.evaluations.push(`ranked ${m[1]} users in ${m[2]} s`);
    else if ((m = /^EASE: inverted (\d+) × \d+ .* in ([\d.]+) s/.exec(line))) r.evaluations.push(`inverted ${m[1]}² in ${m[2]} s`);
    else if ((m = /^error: (.*)/.exec(line))) r.exit = m[1].slice(0, 120);
    else if ((m = /^seed \d+: .* fitted in ([\d.]+) s, \d+ users evaluated/.exec(line))) {
      r.evaluations.push(`one seed fitted in ${m[1]} s and ranked at ${t.toFixed(0)} s`);
      stop(); // a seed is done: the rest would repeat it
    }
  }
  await ended;
  clearInterval(sampler);
  clearTimeout(hardCap);
  return r;
}
