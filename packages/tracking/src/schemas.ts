import { z } from "zod";

/** The parts of MLflow's REST responses this client reads (others are ignored, not rejected). */
export const experimentResponse = z.object({ experiment: z.object({ experiment_id: z.string(), name: z.string() }) });
export const createExperimentResponse = z.object({ experiment_id: z.string() });
export const runInfo = z.object({
  run_id: z.string(),
  experiment_id: z.string(),
  status: z.string(),
  artifact_uri: z.string().optional(),
  start_time: z.union([z.string(), z.number()]).optional(),
  end_time: z.union([z.string(), z.number()]).optional(),
  run_name: z.string().optional(),
});
const kv = z.object({ key: z.string(), value: z.string() });
export const run = z.object({
  info: runInfo,
  data: z.object({
    metrics: z.array(z.object({ key: z.string(), value: z.number(), timestamp: z.union([z.string(), z.number()]), step: z.union([z.string(), z.number()]).optional() })).default([]),
    params: z.array(kv).default([]),
    tags: z.array(kv).default([]),
  }),
  inputs: z.object({ dataset_inputs: z.array(z.object({ dataset: z.object({ name: z.string(), digest: z.string() }) })).default([]) }).optional(),
});
export const runResponse = z.object({ run });
export const searchRunsResponse = z.object({ runs: z.array(run).default([]), next_page_token: z.string().optional() });
export const metricHistoryResponse = z.object({
  metrics: z.array(z.object({ key: z.string(), value: z.number(), step: z.union([z.string(), z.number()]).optional() })).default([]),
});
export const listArtifactsResponse = z.object({
  files: z.array(z.object({ path: z.string(), is_dir: z.boolean().optional(), file_size: z.union([z.string(), z.number()]).optional() })).default([]),
});
export const errorResponse = z.object({ error_code: z.string().optional(), message: z.string().optional() });
export type RunRecord = z.infer<typeof run>;
export const modelVersionResponse = z.object({ model_version: z.object({ name: z.string(), version: z.string(), run_id: z.string().optional() }) });
