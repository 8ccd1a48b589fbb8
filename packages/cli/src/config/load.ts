import { existsSync, readFileSync, statSync } from "node:fs";
import { LineCounter, parseDocument, parse as parseYamlValue, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, UserError, type ConfigIssue } from "@mle/core";
import { familyOf, FAMILY_NAMES, modelConfigSchema, trainingSchemaFor } from "@mle/models";
import { describeValue, knownKeysAt, valueAt } from "./describe.ts";
import { experimentConfigSchema, type ExperimentConfig } from "./schema.ts";

export interface LoadedConfig {
  config: ExperimentConfig;
  /** The config as written plus overrides, before defaults: what a run records. */
  raw: unknown;
  file: string;
}

/**
 * Reads an experiment YAML, applies `--set key.path=value` overrides, and validates it.
 * Every problem is reported at once, with its key path, line, what was expected and what was found.
 */
export function loadConfig(file: string, overrides: string[] = []): LoadedConfig {
  const { config, raw } = loadYaml(file, "config", experimentConfigSchema, "experiment, data, split, model, ...", overrides, keysAt);
  return { config, raw, file };
}

/**
 * A YAML file checked against a schema, every problem reported at once with its key path, line, what was
 * expected and what was found: configs, experiment files. `what` names the file kind in messages.
 */
export function loadYaml<T>(
  file: string, what: string, schema: z.ZodType<T>, topKeys: string, overrides: string[] = [],
  keys: (path: PropertyKey[], raw: unknown) => string[] = (path, raw) => knownKeysAt(schema, path, raw),
): { config: T; raw: unknown } {
  if (!existsSync(file)) throw new UserError(`${what} file ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new UserError(`${file} is a folder, not a ${what} file`, `pass a YAML file, e.g. ${what === "config" ? "configs/mf.yaml" : "experiments/ci.yaml"}`);
  const text = readFileSync(file, "utf8");
  if (text.trim() === "") throw new UserError(`${what} file ${file} is empty`, `it needs a mapping with keys ${topKeys}`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => ({
      path: "(YAML syntax)", expected: "valid YAML", found: e.message.split("\n")[0], line: lineCounter.linePos(e.pos[0]).line,
    })));
  }
  for (const o of overrides) applyOverride(doc, o, file);
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: "", expected: `a mapping with keys ${topKeys}`, found: describeValue(raw) }]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, result.error.issues.flatMap((i) => toIssues(i, raw, doc, lineCounter, keys)));
  return { config: result.data, raw };
}

function applyOverride(doc: Document, override: string, file: string): void {
  const eq = override.indexOf("=");
  if (eq <= 0) throw new ConfigError(file, [{ path: "--set", expected: "key.path=value", found: describeValue(override) }]);
  const path = override.slice(0, eq).split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  let value: unknown;
  try {
    value = parseYamlValue(override.slice(eq + 1)); // `--set model.factors=64` gives a number, `[1,2]` a list
  } catch {
    value = override.slice(eq + 1);
  }
  doc.setIn(path, doc.createNode(value));
}

function toIssues(issue: z.core.$ZodIssue, raw: unknown, doc: Document, lc: LineCounter, keys: (path: PropertyKey[], raw: unknown) => string[]): ConfigIssue[] {
  const line = (path: PropertyKey[]): number | undefined => {
    for (let p = path; p.length > 0; p = p.slice(0, -1)) {
      const node = doc.getIn(p as (string | number)[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lc.linePos(node.range[0]).line;
      // A missing key: point at its parent.
    }
    return undefined;
  };
  const path = issue.path;
  const at = (p: PropertyKey[]) => p.map(String).join(".");
  const found = describeValue(valueAt(raw, path));
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = keys(path, raw);
      return issue.keys.map((k) => ({
        path: at([...path, k]),
        expected: known.length ? `one of the known keys ${known.join(", ")}` : "no such key",
        found: `an unknown key (${describeValue(valueAt(raw, [...path, k]))})`,
        line: line([...path, k]),
      }));
    }
    case "invalid_type":
      return [{ path: at(path), expected: `a${/^[aeiou]/.test(issue.expected) ? "n" : ""} ${issue.expected}`, found, line: line(path) }];
    case "invalid_value":
      return [{ path: at(path), expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`, found, line: line(path) }];
    case "invalid_union": {
      const options = (issue as { options?: unknown[] }).options;
      const expected = options ? `one of ${options.map((v) => JSON.stringify(v)).join(", ")}` : "one of the allowed forms";
      return [{ path: at(path), expected, found, line: line(path) }];
    }
    case "too_small":
    case "too_big": {
      const op = issue.code === "too_small" ? (issue.inclusive ? "≥" : ">") : issue.inclusive ? "≤" : "<";
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const what = issue.origin === "array" ? `a list with length ${op} ${bound}` : `a ${issue.origin} ${op} ${bound}`;
      return [{ path: at(path), expected: what, found, line: line(path) }];
    }
    case "invalid_format":
      return [{ path: at(path), expected: issue.message.replace(/^Invalid string: must match pattern .*$/, "a value of the right format"), found, line: line(path) }];
    default:
      return [{ path: at(path), expected: issue.message, found, line: line(path) }];
  }
}

/** The keys a config accepts at `path`: the model's own schema decides under model and training. */
function keysAt(path: PropertyKey[], raw: unknown): string[] {
  const model = valueAt(raw, ["model"]);
  const family = valueAt(model, ["family"]);
  if (path[0] === "model" && typeof family === "string" && (FAMILY_NAMES as string[]).includes(family)) {
    return knownKeysAt(familyOf(family).config, path.slice(1), model);
  }
  if (path[0] === "training") {
    const m = modelConfigSchema.safeParse(model);
    if (m.success) return knownKeysAt(trainingSchemaFor(m.data), path.slice(1), valueAt(raw, ["training"]));
  }
  return knownKeysAt(experimentConfigSchema, path, raw);
}
