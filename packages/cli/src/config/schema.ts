import { z } from "zod";
import { dataConfigSchema, splitSchema } from "@mle/data";
import { perUserMetricNames } from "@mle/metrics";
import { modelConfigSchema } from "@mle/models";

/** Training procedure shared by the learned families (baselines ignore it). */
export const trainingSchema = z.strictObject({
  epochs: z.number().int().min(1).default(20),
  batchSize: z.number().int().min(1).default(1024),
  learningRate: z.number().positive().default(0.001),
  optimizer: z.enum(["adam", "adagrad", "sgd"]).default("adam"),
  /** Stop when the validation metric (default ndcg at the first evaluation.k) has not improved for `patience` epochs (0: never). */
  earlyStopping: z.strictObject({ metric: z.string().optional(), patience: z.number().int().min(0).default(3) }).default({ patience: 3 }),
  threads: z.number().int().min(1).default(1),
});

export const evaluationSchema = z.strictObject({
  /** Cut-offs for every top-K metric. */
  k: z.array(z.number().int().min(1)).min(1).default([10, 20, 50, 100]),
  /** Targets with a rating at or above this count as relevant (implicit data: every target). */
  relevantMinRating: z.number().min(0).max(5).optional(),
  /** NDCG gain: 1 per relevant item, or its rating. */
  gain: z.enum(["binary", "rating"]).default("binary"),
});

export const trackingSchema = z.strictObject({
  /** MLflow server; unset: $MLFLOW_TRACKING_URI, else a local ./mlruns store. */
  uri: z.string().optional(),
  experiment: z.string().optional(),
  enabled: z.boolean().default(true),
});

export const experimentConfigSchema = z.strictObject({
  experiment: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "a name of letters, digits, '.', '_' or '-'"),
    description: z.string().optional(),
    seeds: z.array(z.number().int().min(0)).min(1).default([1]),
  }),
  data: dataConfigSchema,
  split: splitSchema,
  model: modelConfigSchema,
  training: trainingSchema.default(trainingSchema.parse({})),
  evaluation: evaluationSchema.default(evaluationSchema.parse({})),
  tracking: trackingSchema.default(trackingSchema.parse({})),
}).superRefine((c, ctx) => {
  // Checked here, not after the first epoch: a watched metric the evaluation never computes is a config error.
  const metric = c.training.earlyStopping.metric;
  const known = ["rmse", "mae", ...perUserMetricNames(c.evaluation.k)];
  if (metric !== undefined && !known.includes(metric)) {
    ctx.addIssue({ code: "custom", path: ["training", "earlyStopping", "metric"], input: metric, message: `expected rmse, mae, or a per-user ranking metric at a cut-off in evaluation.k (${c.evaluation.k.join(", ")}), e.g. ndcg@${c.evaluation.k[0]}` });
  } else if ((metric === "rmse" || metric === "mae") && c.data.feedback.kind !== "explicit") {
    ctx.addIssue({ code: "custom", path: ["training", "earlyStopping", "metric"], input: metric, message: `a ranking metric such as ndcg@${c.evaluation.k[0]} (${metric} needs data.feedback.kind: explicit; this data is implicit)` });
  }
});
export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;
