import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { userInfo } from "node:os";
import { repoRootOf } from "./paths.ts";

/** What a run depends on besides its config and data: the code and the runtime. */
export interface Provenance {
  gitCommit: string;
  gitDirty: boolean;
  node: string;
  packages: Record<string, string>;
  /** Who ran it (MLflow's `mlflow.user`). */
  user: string;
}

export function provenance(): Provenance {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: repoRootOf(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };
  const require = createRequire(import.meta.url);
  const packages: Record<string, string> = {};
  for (const name of ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm", "zod", "yaml"]) {
    try {
      const dir = require.resolve(`${name}/package.json`, { paths: [repoRootOf() + "/packages/models", repoRootOf() + "/packages/cli"] });
      packages[name] = (JSON.parse(readFileSync(dir, "utf8")) as { version: string }).version;
    } catch {
      // not installed
    }
  }
  packages["movielens-embeddings"] = (JSON.parse(readFileSync(`${repoRootOf()}/package.json`, "utf8")) as { version?: string }).version ?? "0.0.0";
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return { gitCommit: git(["rev-parse", "HEAD"]) ?? "unknown", gitDirty: (git(["status", "--porcelain"]) ?? "") !== "", node: process.version, packages, user };
}

/** `{a: {b: 1}}` → `{"a.b": "1"}`; lists as JSON. */
export function flatten(value: unknown, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out[prefix] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  return out;
}
