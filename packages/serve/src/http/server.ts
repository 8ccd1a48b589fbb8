import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { z } from "zod";
import { UserError } from "@mle/core";
import { registerWebRoutes } from "../web/routes.ts";
import { openApiDocument } from "./openapi.ts";
import type { Registry } from "prom-client";
import type { ClusterLink } from "./cluster.ts";
import { serviceMetrics } from "./metrics.ts";
import { NotFound } from "../errors.ts";
import { ModelRegistry, type ServedModel } from "./registry.ts";
import * as s from "./schemas.ts";

export interface ServerOptions {
  /** Largest request body in bytes (a 10,000-rating history is about 600 kB). */
  bodyLimit?: number;
  /** Extra routes (the web page) registered on the same instance. */
  extend?: (app: FastifyInstance, models: ModelRegistry) => void | Promise<void>;
  /** In a worker of a multi-process service: its link to the others (swaps reach every worker; metrics are summed). */
  cluster?: (registry: Registry) => ClusterLink;
}

/** What a 4xx says: the zod issues as "path: message" lines. */
function invalid(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.message}`).join("; ");
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequest(invalid(r.error));
  return r.data;
}

class BadRequest extends UserError {}

const describe = (m: ServedModel) => ({ name: m.name, model: m.opened.recommender.model.name, items: m.opened.recommender.catalogue.size, index: m.opened.recommender.index !== null, path: m.path });

/**
 * The HTTP service over a registry of models: POST /recommend, GET /similar/:movieId, GET /movies, GET /health,
 * GET /metrics, GET /openapi.json and PUT /models/:name (hot swap). Every request is validated by the zod
 * schemas the OpenAPI document is generated from; a bad one gets a 4xx with `{ error, message }`.
 */
export async function buildServer(models: ModelRegistry, o: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: o.bodyLimit ?? 1 << 20, logger: false });
  const metrics = serviceMetrics(models);
  const link = o.cluster?.(metrics.registry);
  if (link) app.addHook("onRequest", async (_req, reply) => void reply.header("x-mle-worker", String(link.id)));
  app.addHook("onResponse", async (req, reply) => metrics.observe(req.routeOptions.url ?? "unknown", reply.statusCode, reply.elapsedTime / 1000));
  app.setErrorHandler((e: Error & { statusCode?: number; code?: string }, _req, reply: FastifyReply) => {
    if (e instanceof NotFound) return reply.status(404).send({ error: "not found", message: e.message });
    if (e instanceof UserError) return reply.status(400).send({ error: "bad request", message: e.message });
    if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return reply.status(413).send({ error: "body too large", message: `the request body is over ${app.initialConfig.bodyLimit} bytes` });
    if (e.statusCode && e.statusCode < 500) return reply.status(e.statusCode).send({ error: "bad request", message: e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || e instanceof SyntaxError ? `the body is not valid JSON: ${e.message}` : e.message });
    return reply.status(500).send({ error: "internal error", message: e.message });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: "not found", message: `no route ${req.method} ${req.url}` }));

  app.post("/recommend", async (req) => {
    const body = parse(s.recommendRequestSchema, req.body);
    const m = models.get(body.model);
    const r = m.opened.recommender;
    const rated = body.history ?? m.opened.knownHistory(body.userId!);
    const { history, unknown, belowThreshold } = r.history(rated);
    if (!history.items.length) throw new BadRequest(`none of the history's ${rated.length} movies is usable (${unknown.length} not in the model's catalogue, ${belowThreshold.length} rated under the model's threshold)`);
    const { search, recommendations } = r.recommendWithSearch(history, { k: body.k, exact: body.exact, explain: body.explain });
    return { model: m.name, search, history: history.items.length, unknown, belowThreshold, recommendations } satisfies z.infer<typeof s.recommendResponseSchema>;
  });

  app.get("/similar/:movieId", async (req) => {
    const { movieId } = parse(s.similarParamsSchema, req.params);
    const q = parse(s.similarQuerySchema, req.query);
    const m = models.get(q.model);
    const r = m.opened.recommender;
    const at = r.catalogue.item(movieId);
    if (at === undefined) throw new NotFound(`movie ${movieId} is not in ${m.name}'s catalogue (${r.catalogue.size} movies); find ids with GET /movies?q=<title>`);
    return { model: m.name, movie: r.catalogue.movies[at], similar: r.similar(movieId, q.k) };
  });

  app.get("/movies", async (req) => {
    const q = parse(s.moviesQuerySchema, req.query);
    return { movies: models.get(q.model).opened.recommender.catalogue.search(q.q, q.limit) };
  });

  app.get("/health", async () => ({ status: "ok" as const, models: models.list().map(describe) }));
  app.get("/metrics", async (_req, reply) => reply.type(metrics.registry.contentType).send(link ? await link.metrics() : await metrics.registry.metrics()));
  app.get("/openapi.json", async () => openApiDocument("0.1.0"));

  app.put("/models/:name", async (req) => {
    const { name } = parse(z.strictObject({ name: z.string().min(1) }), req.params);
    const { path } = parse(s.swapRequestSchema, req.body);
    await models.load(name, path);
    await link?.swapped(name, path); // every other worker loads it before the swap is answered
    return { status: "ok" as const, models: models.list().map(describe) };
  });

  registerWebRoutes(app, models);
  await o.extend?.(app, models);
  return app;
}
