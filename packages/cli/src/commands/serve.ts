import cluster from "node:cluster";
import { basename } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { log, setQuiet } from "@mle/core";
import { initBackend } from "@mle/models";
import { ModelRegistry, buildServer, startWorkers, swapsBeforeStart, workerLink, workerListening } from "@mle/serve";
import { localModelPath } from "./model-source.ts";

/** `name=path` or a bare path (named after its folder). */
function modelSpec(v: string, list: [string, string][] = []): [string, string][] {
  const at = v.indexOf("=");
  const [name, path] = at > 0 && !v.startsWith("models:/") ? [v.slice(0, at), v.slice(at + 1)] : [basename(v.replace(/\/+$/, "")), v];
  if (!path) throw new InvalidArgumentError("expected name=path or a path");
  return [...list, [name, path]];
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

interface ServeOptions { model: [string, string][]; port: number; host: string; mirror?: string; workers: number }

/** `pnpm serve`: the HTTP service (and its page) over one or more saved models, in one process or several. */
export function serveCommand(): Command {
  return new Command("serve")
    .description("serve recommendations over HTTP from saved models: POST /recommend, GET /similar/:movieId, /movies, /health, /metrics, /openapi.json")
    .requiredOption("--model <name=path>", "a model to serve (repeat for several; the first is the default); a run, seed-N or model folder", modelSpec)
    .option("--port <n>", "port", (v) => Number(v), 8080)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--mirror <dir>", "where the MovieLens releases are (default: each run's, then $MOVIELENS_MIRROR)")
    .option("--workers <n>", "processes answering requests on the one port (e.g. one per core); each holds the models, the HNSW files are memory-mapped and shared", positiveInt, 1)
    .action(async (o: ServeOptions) => (o.workers > 1 && cluster.isPrimary ? servePrimary(o) : serveModels(o)));
}

/** Loads the models (the command's, then any swapped in before this worker started) into a registry. */
async function loadModels(o: ServeOptions, quiet: boolean): Promise<ModelRegistry> {
  const models = new ModelRegistry({ mirror: o.mirror });
  // A model that fails to load stops the start-up with its reason: nothing is served half-loaded.
  for (const [name, path] of o.model) {
    const m = await models.load(name, await localModelPath(path));
    const r = m.opened.recommender;
    if (!quiet) log(`${name}: ${r.model.name}, ${r.catalogue.size.toLocaleString("en-US")} movies, ${r.index ? `HNSW index, efSearch ${r.index.options.expansionSearch}` : "exact scoring"} (${path})`);
  }
  for (const [name, path] of swapsBeforeStart()) await models.load(name, path);
  return models;
}

/** One process serving (or one worker of several). */
async function serveModels(o: ServeOptions): Promise<void> {
  const worker = cluster.isWorker;
  if (worker) setQuiet(true); // the primary speaks for the workers
  const backend = await initBackend();
  const models = await loadModels(o, worker);
  const app = await buildServer(models, worker ? { cluster: (registry) => workerLink(registry, async (name, path) => void (await models.load(name, path))) } : {});
  const address = await app.listen({ port: o.port, host: o.host });
  onStopSignal(async () => {
    // A worker's goodbye to a primary that is already gone fails with EPIPE: nothing is left to tell.
    cluster.worker?.on("error", () => undefined);
    await app.close();
    process.exit(0);
  });
  if (worker) return workerListening(address);
  process.stdout.write(`serving ${o.model.map(([n]) => n).join(", ")} at ${address} (backend ${backend}); try: curl -s ${address}/health\n`);
}

/**
 * Several workers on one port: the primary opens every model once first (a clear start-up error if one fails, and
 * the HNSW index built before any worker maps it), then forks the workers and relays hot swaps between them.
 */
async function servePrimary(o: ServeOptions): Promise<void> {
  await initBackend();
  await loadModels(o, false);
  const { address, stop } = await startWorkers(o.workers, { onReplace: (m) => log(m) });
  process.stdout.write(`serving ${o.model.map(([n]) => n).join(", ")} at ${address} with ${o.workers} workers; try: curl -s ${address}/health\n`);
  onStopSignal(async () => {
    await stop();
    process.exit(0);
  });
}

/**
 * Runs `stop` on the first SIGINT or SIGTERM and ignores repeats: a process group signalled as a whole (Ctrl-C, a
 * supervisor) delivers the signal twice to the primary (once directly, once passed on by tsx), and a second signal
 * with no handler would end it before its workers.
 */
function onStopSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    void stop();
  };
  process.on("SIGINT", once);
  process.on("SIGTERM", once);
}
