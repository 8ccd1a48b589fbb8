import { z } from "zod";
import { loadYaml } from "./load.ts";

/**
 * Every config tuned with the same budget before it runs on the comparison's seeds (`pnpm tune` on validation
 * seeds; a fair comparison gives no model more search than another). Configs without an entry in the space file
 * run as written.
 */
export const comparisonTuningSchema = z.strictObject({
  /** A space file with an entry per config name (configs/space.yaml). */
  space: z.string(),
  /** Trials per config. */
  budget: z.number().int().min(1),
  sampler: z.enum(["tpe", "random", "grid"]).default("tpe"),
  /** TPE: random trials before the model-based proposals start (below the budget, or TPE is random search). */
  startup: z.number().int().min(1).default(10),
  /** The sampler's seed. */
  seed: z.number().int().default(1),
  /** Validation seeds the trials run on: never the comparison's seeds. */
  seeds: z.array(z.number().int().min(0)).min(1).default([101]),
  prune: z.boolean().default(true),
  /** `--set` overrides for the trials only, after the comparison's: e.g. a validation part carved out of the training part. */
  set: z.array(z.string()).default([]),
});
export type ComparisonTuning = z.infer<typeof comparisonTuningSchema>;

/** `experiments/<name>.yaml`: configs compared on the same seeds (and shared overrides). */
export const comparisonSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/),
  description: z.string().optional(),
  seeds: z.array(z.number().int().min(0)).min(1),
  /** Config files, each alone or with overrides of its own after the shared `set` (`{config: configs/bpr.yaml, set: ["training.epochs=5"]}`). */
  configs: z.array(z.union([z.string(), z.strictObject({ config: z.string(), set: z.array(z.string()).default([]) })])).min(1),
  /** `--set` overrides applied to every config, so that all share data and split. */
  set: z.array(z.string()).default([]),
  /** The metric that ranks models and is tested for significance. */
  primary: z.string().default("ndcg@10"),
  /** Markdown the report prints under "Discussion", after the figures: what the comparison shows and why. */
  discussion: z.string().optional(),
  tune: comparisonTuningSchema.optional(),
  /**
   * Instead of `tune`: another experiment file whose tuning chose each config's values (its report folder's
   * tuning/<config>/chosen.json), e.g. the same models on a new-user split with the values the main comparison chose.
   */
  tunedIn: z.string().optional(),
})
  .refine((c) => !(c.tune && c.tunedIn), { path: ["tunedIn"], message: "either tune (search here) or tunedIn (values another comparison chose), not both" }).refine((c) => !c.tune || c.tune.seeds.every((s) => !c.seeds.includes(s)), { path: ["tune", "seeds"], message: "validation seeds must differ from the comparison's seeds (tuning never sees the figures it reports)" });
export type Comparison = z.infer<typeof comparisonSchema>;

/** A comparison's config entry as a file and its own overrides. */
export function configEntry(entry: Comparison["configs"][number]): { file: string; set: string[] } {
  return typeof entry === "string" ? { file: entry, set: [] } : { file: entry.config, set: entry.set };
}

/** An experiment file, with the same key-path / line / expected / found errors as a config. */
export function loadComparison(file: string): Comparison {
  return loadYaml(file, "experiment", comparisonSchema, "name, seeds, configs, ...").config;
}
