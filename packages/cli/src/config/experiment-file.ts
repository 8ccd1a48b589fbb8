import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { ConfigError, UserError } from "@mle/core";

/** `experiments/<name>.yaml`: configs compared on the same seeds (and shared overrides). */
export const comparisonSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/),
  description: z.string().optional(),
  seeds: z.array(z.number().int().min(0)).min(1),
  configs: z.array(z.string()).min(1),
  /** `--set` overrides applied to every config, so that all share data and split. */
  set: z.array(z.string()).default([]),
  /** The metric that ranks models and is tested for significance. */
  primary: z.string().default("ndcg@10"),
});
export type Comparison = z.infer<typeof comparisonSchema>;

export function loadComparison(file: string): Comparison {
  if (!existsSync(file)) throw new UserError(`experiment file ${file} does not exist`);
  const r = comparisonSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (!r.success) throw new ConfigError(file, r.error.issues.map((i) => ({ path: i.path.join("."), expected: i.message, found: "see the file" })));
  return r.data;
}
