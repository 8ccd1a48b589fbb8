import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { UserError } from "@mle/core";
import { searchSpaceSchema, type SearchSpace } from "@mle/tune";

/**
 * A space from a YAML file or written inline: the map of parameters itself, a `parameters:` map, or — a file beside
 * several configs (configs/space.yaml) — one entry per config, keyed by its file name without .yaml.
 */
export function readSpace(v: string, configName: string): SearchSpace {
  const fromFile = existsSync(v);
  const where = `--space ${fromFile ? v : "(inline)"}`;
  let raw: unknown;
  try {
    raw = parse(fromFile ? readFileSync(v, "utf8") : v);
  } catch (e) {
    throw new UserError(`${where}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const at = (x: unknown, key: string) => (x && typeof x === "object" && key in x ? (x as Record<string, unknown>)[key] : undefined);
  const entry = at(raw, configName);
  const chosen = entry ?? raw;
  const map = at(chosen, "parameters") ?? chosen;
  const r = searchSpaceSchema.safeParse(map);
  if (!r.success) {
    const keyed = fromFile && !entry && Object.keys((raw as object) ?? {}).some((k) => !k.includes("."));
    throw new UserError(`${where}${entry ? ` (entry ${configName})` : ""}: ${r.error.issues.map((i) => `${i.path.join(".") || "(space)"}: ${i.message}`).join("; ")}`,
      keyed ? `the file has no entry for ${configName} (entries: ${Object.keys(raw as object).join(", ")})` : "e.g. --space '{model.factors: {int: [16, 256], log: true}, training.learningRate: {float: [0.0001, 0.1], log: true}}'");
  }
  return r.data;
}

/** Whether a space file has an entry for this config (a file of entries keyed by config name). */
export function hasSpaceEntry(file: string, configName: string): boolean {
  const raw = parse(readFileSync(file, "utf8")) as unknown;
  return !!raw && typeof raw === "object" && configName in raw;
}
