import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { UserError } from "@mle/core";
import { itemMap } from "../map.ts";
import type { ModelRegistry } from "../http/registry.ts";

const here = dirname(fileURLToPath(import.meta.url));

/** The page's script, bundled once from app.ts (no CDN: everything is served by this process). */
let script: Promise<string> | null = null;
function appScript(): Promise<string> {
  script ??= build({ entryPoints: [join(here, "app.ts")], bundle: true, write: false, format: "iife", target: "es2022", minify: true }).then((r) => r.outputFiles[0].text);
  return script;
}

/** GET / (the page), GET /app.js, GET /map (the item map of a model, computed once and kept beside it). */
export function registerWebRoutes(app: FastifyInstance, models: ModelRegistry): void {
  const page = readFileSync(join(here, "index.html"), "utf8");
  app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(page));
  app.get("/app.js", async (_req, reply) => reply.type("text/javascript; charset=utf-8").send(await appScript()));
  app.get("/map", async (req) => {
    const q = z.strictObject({ model: z.string().min(1).optional() }).safeParse(req.query);
    if (!q.success) throw new UserError(q.error.issues.map((i) => `${i.path.join(".") || "(query)"}: ${i.message}`).join("; "));
    const { model } = q.data;
    const m = models.get(model);
    const r = m.opened.recommender;
    const points = (await itemMap(m.opened.location.modelDir, r.model)).map((p) => ({ ...r.catalogue.movies[p.item], x: p.x, y: p.y }));
    return { model: m.name, points };
  });
}
