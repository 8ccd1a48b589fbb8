import { z } from "zod";
import { annOptionsSchema } from "@mle/ann";
import type { TrainingConfig } from "../engine/training.ts";
import type { ModelConfig } from "../registry.ts";
import { modelConfigSchema, trainingSchemaFor } from "../registry.ts";

export interface PipelineStage {
  model: ModelConfig;
  training: TrainingConfig;
}

/** One stage: any model of any family with its own `training:` (checked against that family's knobs). */
const stageSchema: z.ZodType<PipelineStage> = z.lazy(() =>
  z.strictObject({ model: modelConfigSchema, training: z.record(z.string(), z.unknown()).default({}) }).transform((v, ctx) => {
    const r = trainingSchemaFor(v.model).safeParse(v.training);
    if (r.success) return { model: v.model, training: r.data };
    for (const issue of r.error.issues) ctx.issues.push({ ...issue, path: ["training", ...issue.path], input: undefined } as never);
    return z.NEVER;
  }),
);

/**
 * A two-stage recommender (write-up 004's system, made general): the retrieval stage's item vectors in an HNSW
 * index propose `candidates` items per user; the re-rank stage orders them.
 */
export const pipelineConfigSchema = z.strictObject({
  family: z.literal("pipeline"),
  retrieval: stageSchema,
  rerank: stageSchema,
  /** N: items the first stage proposes per user. */
  candidates: z.number().int().min(1).default(200),
  /**
   * `user`: the user's vector queries the index; `item-neighbours`: the union of the `neighbours` nearest items
   * of each movie in the history (the write-up's candidates), most often proposed first, cut at N.
   */
  query: z.enum(["user", "item-neighbours"]).default("user"),
  neighbours: z.number().int().min(1).default(20),
  ann: annOptionsSchema.default({ connectivity: 16, expansionAdd: 200, expansionSearch: 200 }),
});
export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;
