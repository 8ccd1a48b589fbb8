import { basename } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { log } from "@mle/core";
import { initBackend } from "@mle/models";
import { ModelRegistry, buildServer } from "@mle/serve";
import { localModelPath } from "./model-source.ts";

/** `name=path` or a bare path (named after its folder). */
function modelSpec(v: string, list: [string, string][] = []): [string, string][] {
  const at = v.indexOf("=");
  const [name, path] = at > 0 && !v.startsWith("models:/") ? [v.slice(0, at), v.slice(at + 1)] : [basename(v.replace(/\/+$/, "")), v];
  if (!path) throw new InvalidArgumentError("expected name=path or a path");
  return [...list, [name, path]];
}

/** `pnpm serve`: the HTTP service (and its page) over one or more saved models. */
export function serveCommand(): Command {
  return new Command("serve")
    .description("serve recommendations over HTTP from saved models: POST /recommend, GET /similar/:movieId, /movies, /health, /metrics, /openapi.json")
    .requiredOption("--model <name=path>", "a model to serve (repeat for several; the first is the default); a run, seed-N or model folder", modelSpec)
    .option("--port <n>", "port", (v) => Number(v), 8080)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--mirror <dir>", "where the MovieLens releases are (default: each run's, then $MOVIELENS_MIRROR)")
    .action(async (o: { model: [string, string][]; port: number; host: string; mirror?: string }) => {
      const backend = await initBackend();
      const models = new ModelRegistry({ mirror: o.mirror });
      // A model that fails to load stops the start-up with its reason: nothing is served half-loaded.
      for (const [name, path] of o.model) {
        const m = await models.load(name, await localModelPath(path));
        const r = m.opened.recommender;
        log(`${name}: ${r.model.name}, ${r.catalogue.size.toLocaleString("en-US")} movies, ${r.index ? "HNSW index" : "exact scoring"} (${path})`);
      }
      const app = await buildServer(models);
      const address = await app.listen({ port: o.port, host: o.host });
      process.stdout.write(`serving ${o.model.map(([n]) => n).join(", ")} at ${address} (backend ${backend}); try: curl -s ${address}/health\n`);
      const stop = async () => {
        await app.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
