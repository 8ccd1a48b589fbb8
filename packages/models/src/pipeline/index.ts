import { z } from "zod";
import type { ModelState } from "@mle/core";
import type { ModelFamily } from "../family.ts";
import { describeModel, modelNotes } from "../registry.ts";
import { pipelineConfigSchema, type PipelineConfig } from "./config.ts";
import { join } from "node:path";
import { fitPipeline, pipelineModel, restorePipeline } from "./pipeline.ts";

/** Two stages: any model's ANN candidates, re-ranked by any model. Its stages carry their own `training:`. */
export const pipelineFamily: ModelFamily<PipelineConfig, ModelState> = {
  family: "pipeline",
  summary: "two-stage recommender: ANN candidates from one model, re-ranked by another",
  config: pipelineConfigSchema,
  training: () => z.strictObject({}),
  describe: (c) => `${describeModel(c.retrieval.model)} → ${describeModel(c.rerank.model)} (N = ${c.candidates})`,
  notes: (c) => {
    const r = modelNotes(c.retrieval.model, c.retrieval.training);
    const k = modelNotes(c.rerank.model, c.rerank.training);
    return {
      architecture: `Two stages (write-up 004's system, made general). Retrieval: ${r.architecture} Its item vectors sit in an HNSW index (usearch; M ${c.ann.connectivity}, efConstruction ${c.ann.expansionAdd}, efSearch ${c.ann.expansionSearch}), which proposes ${c.candidates} candidates per user ${c.query === "user" ? "nearest to the user's vector" : `as the union of the ${c.neighbours} nearest neighbours of each movie the user rated, most often proposed first`}. Re-rank: ${k.architecture} It orders the candidates; every other movie ranks after them.`,
      why: `A catalogue too large to score per request is served this way: a cheap model narrows it, a better one orders the few left. The candidate recall (the share of a user's test items the first stage keeps) bounds what the second can reach. Retrieval — ${r.why} Re-rank — ${k.why}`,
      training: `Each stage is trained on its own as configured. Retrieval: ${r.training} Re-rank: ${k.training}`,
    };
  },
  fit: (train, c, ctx) => fitPipeline(train, c, ctx),
  restore: (s, c) => restorePipeline(s, c),
  // The HNSW index goes beside the model (`ann/`), ready for a server to map; restoring rebuilds the same graph.
  saveFiles: ({ model }, dir) => (model as ReturnType<typeof pipelineModel>).ann.save(join(dir, "ann")),
  examples: [
    {
      family: "pipeline", candidates: 20,
      retrieval: { model: { family: "metric", variant: "triplet", hidden: 8, factors: 3 }, training: { epochs: 2 } },
      rerank: { model: { family: "mf", variant: "bpr", factors: 4 }, training: { epochs: 2 } },
    },
  ],
};
