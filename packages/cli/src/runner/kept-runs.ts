import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TunedSummary } from "@mle/report";
import type { Results } from "./results.ts";

/**
 * What a comparison keeps of each finished model in its report folder (`reports/<name>/kept/<model>.json`): the
 * results with their times, where the run was tracked, and each seed's per-user primary metric (what the paired
 * tests need). The runs folder holds models and splits and stays on the machine that ran them; this is small and
 * committed, so `--reuse` on a fresh clone or another machine skips every model whose config hash is unchanged, and a
 * long comparison can be finished in several sittings.
 */
export interface KeptModel {
  results: Results;
  tracking: string | null;
  metric: string;
  /** Per seed: raw MovieLens user ids (Int32) and their values (Float32), little-endian, base64. */
  perUser: { seed: number; users: string; values: string }[];
}

export interface PerUser {
  users: Int32Array;
  values: Float32Array;
}

export function keptModelFile(reportsDir: string, comparison: string, model: string): string {
  return join(reportsDir, comparison, "kept", `${model}.json`);
}

export function keepModel(file: string, results: Results, tracking: string | null, metric: string, perUser: PerUser[]): void {
  const kept: KeptModel = {
    results, tracking, metric,
    perUser: perUser.map((p, s) => ({ seed: results.seeds[s], users: toBase64(p.users), values: toBase64(p.values) })),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(kept, null, 1)}\n`);
}

/** The kept model when it was run from the same config (hash) and kept the same metric; otherwise undefined. */
export function readKeptModel(file: string, configHash: string, metric: string): { results: Results; tracking: string | null; perUser: PerUser[] } | undefined {
  if (!existsSync(file)) return undefined;
  const kept = JSON.parse(readFileSync(file, "utf8")) as KeptModel;
  if (kept.results.configHash !== configHash || kept.metric !== metric) return undefined;
  const perUser = kept.perUser.map((p) => ({ users: new Int32Array(fromBase64(p.users)), values: new Float32Array(fromBase64(p.values)) }));
  return { results: kept.results, tracking: kept.tracking, perUser };
}

function toBase64(a: Int32Array | Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

function fromBase64(s: string): ArrayBuffer {
  const b = Buffer.from(s, "base64");
  // A fresh, aligned buffer: a typed array cannot start at an odd offset of Node's shared pool.
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

/** A comparison's tuning record in its report folder (`reports/<name>/tuning/<config>/`): the key it was run under,
 * the chosen values, and the trials, their chart and the chosen config as `pnpm tune` wrote them. */
export function keptTuningDir(reportsDir: string, comparison: string, config: string): string {
  return join(reportsDir, comparison, "tuning", config);
}

export function keepTuning(dir: string, key: string, summary: TunedSummary, tuneOutDir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "chosen.json"), `${JSON.stringify({ key, summary }, null, 2)}\n`);
  for (const f of ["trials.json", "trials.svg", "best.yaml"]) if (existsSync(join(tuneOutDir, f))) copyFileSync(join(tuneOutDir, f), join(dir, f));
}

/** The chosen values of a tuning run under the same key, from the first of `dirs` that has one. */
export function readKeptTuning(dirs: string[], key: string): { summary: TunedSummary; from: string } | undefined {
  for (const dir of dirs) {
    const file = join(dir, "chosen.json");
    if (!existsSync(file)) continue;
    const saved = JSON.parse(readFileSync(file, "utf8")) as { key: string; summary: TunedSummary };
    if (saved.key === key) return { summary: saved.summary, from: file };
  }
  return undefined;
}
