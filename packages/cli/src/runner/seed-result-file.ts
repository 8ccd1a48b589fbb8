import { join } from "node:path";
import { readColumnar, writeColumnar } from "@mle/core";
import type { SeedResult } from "./evaluate-seed.ts";

/**
 * A seed's whole result in its folder (`seed-result.bin`): how a seed run on a queue worker reaches the command that
 * aggregates it. Per-user values stay float64, so the aggregate (and its bootstrap) is the one a local run computes.
 */
export function writeSeedResult(dir: string, r: SeedResult): void {
  const { perUser, users, topItems, ...scalars } = r;
  // NaN and ±Infinity (a metric no user could score) survive the round trip; JSON alone would make them null.
  const json = JSON.stringify(scalars, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? `__${v}` : v));
  writeColumnar(join(dir, "seed-result.bin"), { json, perUserMetrics: Object.keys(perUser) }, { users, topItems, ...Object.fromEntries(Object.entries(perUser).map(([k, v]) => [`perUser.${k}`, v])) });
}

export function readSeedResult(dir: string): SeedResult {
  const { meta, columns } = readColumnar(join(dir, "seed-result.bin"));
  const { json, perUserMetrics } = meta as { json: string; perUserMetrics: string[] };
  const scalars = JSON.parse(json, (_k, v: unknown) => (typeof v === "string" && /^__(NaN|-?Infinity)$/.test(v) ? Number(v.slice(2)) : v)) as Omit<SeedResult, "perUser" | "users" | "topItems">;
  return {
    ...scalars,
    users: columns.users as Int32Array,
    topItems: columns.topItems as Int32Array,
    perUser: Object.fromEntries(perUserMetrics.map((k) => [k, columns[`perUser.${k}`] as Float64Array])),
  };
}
