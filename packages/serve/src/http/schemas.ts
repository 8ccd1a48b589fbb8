import { z } from "zod";
import { MAX_K } from "../recommender.ts";

/** Requests and responses of the HTTP service: validated here, and the source of its OpenAPI document. */
export const ratedSchema = z.strictObject({
  movieId: z.number().int().min(0),
  rating: z.number().min(0).max(5),
  timestamp: z.number().int().min(0).optional(),
});

export const MAX_HISTORY = 10_000;

export const recommendRequestSchema = z.strictObject({
  model: z.string().min(1).optional().describe("a served model's name; default: the first"),
  userId: z.number().int().optional().describe("a user of the model's run split (their interactions are the history)"),
  history: z.array(ratedSchema).min(1).max(MAX_HISTORY).optional().describe("rated movies of a new user, folded in"),
  k: z.number().int().min(1).max(MAX_K).default(10),
  exact: z.boolean().default(false).describe("score every movie instead of asking the HNSW index"),
  explain: z.boolean().default(false).describe("for each recommendation, the rated movies nearest to it"),
}).refine((r) => (r.userId === undefined) !== (r.history === undefined), { message: "give exactly one of userId and history", path: ["history"] });

export const movieSchema = z.object({ movieId: z.number().int(), title: z.string(), year: z.number().int(), genres: z.array(z.string()) });
const nearSchema = movieSchema.extend({ similarity: z.number() });

export const recommendResponseSchema = z.object({
  model: z.string(),
  search: z.enum(["hnsw", "exact", "candidates"]).describe("how the items were found: the HNSW index, every item scored, or a two-stage model's candidates"),
  history: z.number().int().describe("rated movies folded in"),
  unknown: z.array(z.number().int()).describe("movie ids left out: not in the model's catalogue"),
  belowThreshold: z.array(z.number().int()).describe("movie ids left out: rated under the model's implicit-feedback threshold"),
  recommendations: z.array(movieSchema.extend({ score: z.number(), because: z.array(nearSchema).optional() })),
});

export const similarQuerySchema = z.strictObject({
  k: z.coerce.number().int().min(1).max(MAX_K).default(10),
  model: z.string().min(1).optional(),
});
export const similarParamsSchema = z.strictObject({ movieId: z.coerce.number().int().min(0) });
export const similarResponseSchema = z.object({ model: z.string(), movie: movieSchema, similar: z.array(nearSchema) });

export const moviesQuerySchema = z.strictObject({
  q: z.string().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  model: z.string().min(1).optional(),
});
export const moviesResponseSchema = z.object({ movies: z.array(movieSchema) });

export const healthResponseSchema = z.object({
  status: z.literal("ok"),
  models: z.array(z.object({ name: z.string(), model: z.string(), items: z.number().int(), index: z.boolean(), path: z.string() })),
});

export const swapRequestSchema = z.strictObject({ path: z.string().min(1).describe("a run, seed or model folder") });

export const errorSchema = z.object({ error: z.string(), message: z.string() });
