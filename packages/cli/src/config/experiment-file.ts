import { z } from "zod";
import { loadYaml } from "./load.ts";

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
  /** Markdown the report prints under "Discussion", after the figures: what the comparison shows and why. */
  discussion: z.string().optional(),
});
export type Comparison = z.infer<typeof comparisonSchema>;

/** An experiment file, with the same key-path / line / expected / found errors as a config. */
export function loadComparison(file: string): Comparison {
  return loadYaml(file, "experiment", comparisonSchema, "name, seeds, configs, ...").config;
}
