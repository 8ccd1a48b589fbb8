import { z } from "zod";
import { dataConfigSchema, splitSchema } from "@mle/data";
import { metricNames, perUserMetricNames } from "@mle/metrics";
import { FAMILY_NAMES, modelConfigSchema, trainingSchemaFor, type ModelConfig, type TrainingConfig } from "@mle/models";

export const evaluationSchema = z.strictObject({
  /** Cut-offs for every top-K metric. */
  k: z.array(z.number().int().min(1)).min(1).default([10, 20, 50, 100]),
  /** Targets with a rating at or above this count as relevant (implicit data: every target). */
  relevantMinRating: z.number().min(0).max(5).optional(),
  /** NDCG gain: 1 per relevant item, or its rating. */
  gain: z.enum(["binary", "rating"]).default("binary"),
  /** Fit the reference models on the same splits for the report (popularity; global mean and baseline-only on ratings). */
  references: z.boolean().default(true),
  /**
   * Also evaluate on cold items: only targets whose item has at most this many training ratings count
   * (users with none are left out). Reported as `cold/<metric>` beside the test metrics; unset: not computed.
   */
  coldItems: z.number().int().min(0).optional(),
});

export const engineSchema = z.strictObject({
  /** TensorFlow.js backend: `auto` (native when `pnpm setup-native` built it, else wasm; $MLE_BACKEND may choose), `native`, `wasm` or `cpu`. */
  backend: z.enum(["auto", "native", "wasm", "cpu"]).default("auto"),
});

export const trackingSchema = z.strictObject({
  /** MLflow server; unset: $MLFLOW_TRACKING_URI, else a local ./mlruns store. */
  uri: z.string().optional(),
  experiment: z.string().optional(),
  enabled: z.boolean().default(true),
});

const baseSchema = z.strictObject({
  experiment: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "a name of letters, digits, '.', '_' or '-'"),
    description: z.string().optional(),
    seeds: z.array(z.number().int().min(0)).min(1).default([1]),
  }),
  data: dataConfigSchema,
  split: splitSchema,
  model: modelConfigSchema,
  /** Checked against the model's own training schema below: each family accepts only the knobs it reads. */
  training: z.record(z.string(), z.unknown()).default({}),
  evaluation: evaluationSchema.default(evaluationSchema.parse({})),
  engine: engineSchema.default(engineSchema.parse({})),
  tracking: trackingSchema.default(trackingSchema.parse({})),
});

export type ExperimentConfig = Omit<z.infer<typeof baseSchema>, "model" | "training"> & { model: ModelConfig; training: TrainingConfig };

export const experimentConfigSchema: z.ZodType<ExperimentConfig> = baseSchema.transform((c, ctx) => {
  if (!(FAMILY_NAMES as string[]).includes((c.model as { family?: string }).family ?? "")) return z.NEVER; // the model section failed: its issues are reported already
  const t = trainingSchemaFor(c.model).safeParse(c.training);
  if (!t.success) {
    for (const issue of t.error.issues) ctx.issues.push({ ...issue, path: ["training", ...issue.path], input: undefined } as never);
    return z.NEVER;
  }
  const training = t.data;
  // Checked here, not after the first epoch: a watched metric the evaluation never computes is a config error.
  const metric = training.earlyStopping?.metric;
  const known = ["rmse", "mae", ...perUserMetricNames(c.evaluation.k)];
  if (metric !== undefined && !known.includes(metric)) {
    const kind = metricNames(c.evaluation.k).includes(metric) ? " (it is computed over the whole catalogue, not per user)" : "";
    ctx.addIssue({ code: "custom", path: ["training", "earlyStopping", "metric"], input: metric, message: `expected rmse, mae, or a per-user ranking metric at a cut-off in evaluation.k (${c.evaluation.k.join(", ")}), e.g. ndcg@${c.evaluation.k[0]}${kind}` });
    return z.NEVER;
  }
  if ((metric === "rmse" || metric === "mae") && c.data.feedback.kind !== "explicit") {
    ctx.addIssue({ code: "custom", path: ["training", "earlyStopping", "metric"], input: metric, message: `a ranking metric such as ndcg@${c.evaluation.k[0]} (${metric} needs data.feedback.kind: explicit; this data is implicit)` });
    return z.NEVER;
  }
  return { ...c, training };
});
