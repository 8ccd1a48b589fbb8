import { z } from "zod";
import * as s from "./schemas.ts";

const json = (schema: z.ZodType, io: "input" | "output" = "output") => ({ "application/json": { schema: z.toJSONSchema(schema, { io, unrepresentable: "any" }) } });
const errors = { 400: { description: "invalid request", content: json(s.errorSchema) }, 404: { description: "unknown model, user or movie", content: json(s.errorSchema) } };
const query = (schema: z.ZodObject) => Object.entries(schema.shape).map(([name, v]) => ({ name, in: "query", required: !(v as z.ZodType).safeParse(undefined).success, schema: z.toJSONSchema(v as z.ZodType, { io: "input", unrepresentable: "any" }) }));

/** The service's OpenAPI 3.1 document, generated from the same zod schemas that validate its requests. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "movielens-embeddings", version, description: "Recommendations from saved models: the user vector (folded in from a history) retrieves movies." },
    paths: {
      "/recommend": { post: { summary: "top movies for a known user or a history", requestBody: { required: true, content: json(s.recommendRequestSchema, "input") }, responses: { 200: { description: "recommendations", content: json(s.recommendResponseSchema) }, ...errors, 413: { description: "body too large", content: json(s.errorSchema) } } } },
      "/similar/{movieId}": { get: { summary: "a movie's nearest movies in the item space (cosine)", parameters: [{ name: "movieId", in: "path", required: true, schema: { type: "integer" } }, ...query(s.similarQuerySchema)], responses: { 200: { description: "neighbours", content: json(s.similarResponseSchema) }, ...errors } } },
      "/movies": { get: { summary: "movies whose title contains q", parameters: query(s.moviesQuerySchema), responses: { 200: { description: "matches", content: json(s.moviesResponseSchema) }, ...errors } } },
      "/health": { get: { summary: "served models", responses: { 200: { description: "ok", content: json(s.healthResponseSchema) } } } },
      "/metrics": { get: { summary: "Prometheus text: requests, latency histogram, index size", responses: { 200: { description: "metrics", content: { "text/plain": { schema: { type: "string" } } } } } } },
      "/map": { get: { summary: "the item map of a model: UMAP of its item vectors (computed once, saved beside it)", parameters: [{ name: "model", in: "query", required: false, schema: { type: "string" } }], responses: { 200: { description: "points", content: { "application/json": { schema: { type: "object", properties: { model: { type: "string" }, points: { type: "array", items: { type: "object" } } } } } } }, ...errors } } },
      "/": { get: { summary: "the web page: search, neighbours per model, rate and get recommendations, the item map", responses: { 200: { description: "HTML", content: { "text/html": { schema: { type: "string" } } } } } } },
      "/models/{name}": { put: { summary: "load a model under this name, replacing the one served (in-flight requests finish on the old one)", parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }], requestBody: { required: true, content: json(s.swapRequestSchema, "input") }, responses: { 200: { description: "served models", content: json(s.healthResponseSchema) }, ...errors } } },
    },
  };
}
