import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

/** What a worker of a multi-process service asks of the others, through the primary. */
export interface ClusterLink {
  /** After this worker swapped a model: every other worker loads it too; resolves once all have (or names who failed). */
  swapped(name: string, path: string): Promise<void>;
  /** The Prometheus text of every worker's metrics, summed (gauges of model size: the first worker's). */
  metrics(): Promise<string>;
  /** Which worker answers (1-based), for the `x-mle-worker` header. */
  id: number;
}

/** Where a worker started after swaps finds them ([name, path] pairs). */
const SWAPS_ENV = "MLE_SERVE_SWAPS";

/** In a worker: the models swapped in before it started, to load after the command's own. */
export function swapsBeforeStart(): [string, string][] {
  return cluster.isWorker && process.env[SWAPS_ENV] ? (JSON.parse(process.env[SWAPS_ENV]) as [string, string][]) : [];
}

type ToPrimary = { type: "mle:swap"; id: number; name: string; path: string } | { type: "mle:loaded"; id: number; error?: string } | { type: "mle:metrics"; id: number } | { type: "mle:listening"; address: string };
type ToWorker = { type: "mle:load"; id: number; name: string; path: string } | { type: "mle:swapped"; id: number; error?: string } | { type: "mle:metrics"; id: number; text: string };

/**
 * In a worker: the link to the primary. `load` is how this worker loads a model another worker swapped in.
 * Only a worker that the primary forked has one.
 */
export function workerLink(registry: Registry, load: (name: string, path: string) => Promise<void>): ClusterLink {
  if (!cluster.isWorker || !process.send) throw new Error("workerLink: not a cluster worker");
  // prom-client answers the primary's metric requests from this registry (constructing one adds its listeners).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<number, (m: ToWorker) => void>();
  let next = 0;
  const ask = (m: ToPrimary & { id: number }) => new Promise<ToWorker>((resolve) => (waiting.set(m.id, resolve), process.send!(m)));
  process.on("message", (m: ToWorker) => {
    if (m?.type === "mle:load") {
      load(m.name, m.path).then(() => process.send!({ type: "mle:loaded", id: m.id }), (e: Error) => process.send!({ type: "mle:loaded", id: m.id, error: e.message }));
    } else if (m?.type === "mle:swapped" || m?.type === "mle:metrics") {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    }
  });
  return {
    id: cluster.worker!.id,
    async swapped(name, path) {
      const r = await ask({ type: "mle:swap", id: ++next, name, path });
      if (r.type === "mle:swapped" && r.error) throw new Error(r.error);
    },
    async metrics() {
      const r = await ask({ type: "mle:metrics", id: ++next });
      return r.type === "mle:metrics" ? r.text : "";
    },
  };
}

/** Tells the primary that this worker listens (at `address`). */
export function workerListening(address: string): void {
  process.send?.({ type: "mle:listening", address } satisfies ToPrimary);
}

/**
 * In the primary: forks `n` workers of this same command (each loads the models, listens on the shared port and
 * answers requests; the primary hands out connections), relays hot swaps to every worker, gathers the workers'
 * metrics, and replaces a worker that dies while serving. Resolves with the address once every worker listens;
 * rejects if a worker exits before that.
 */
export async function startWorkers(n: number, o: { onReplace?: (message: string) => void } = {}): Promise<{ address: string; workers: () => Worker[]; stop: () => Promise<void> }> {
  const aggregator = new AggregatorRegistry();
  const live = new Set<Worker>();
  const swaps = new Map<number, { from: Worker; id: number; left: number; errors: string[] }>();
  /** Models swapped in since start, by name: a replacement worker loads them after the command's own. */
  const swapped = new Map<string, string>();
  let swapId = 0;
  let stopping = false;
  let started = false;
  let listening = 0;
  let ready: { resolve: (address: string) => void; reject: (e: Error) => void };
  const address = new Promise<string>((resolve, reject) => (ready = { resolve, reject }));
  const spawn = () => {
    const w = cluster.fork({ [SWAPS_ENV]: JSON.stringify([...swapped]) });
    live.add(w);
    w.on("message", (m: ToPrimary) => {
      if (m?.type === "mle:listening") {
        if (!started && ++listening === n) (started = true), ready.resolve(m.address);
      } else if (m?.type === "mle:swap") {
        swapped.set(m.name, m.path);
        const others = [...live].filter((x) => x !== w && x.isConnected());
        if (!others.length) return void w.send({ type: "mle:swapped", id: m.id } satisfies ToWorker);
        swaps.set(++swapId, { from: w, id: m.id, left: others.length, errors: [] });
        for (const x of others) x.send({ type: "mle:load", id: swapId, name: m.name, path: m.path } satisfies ToWorker);
      } else if (m?.type === "mle:loaded") {
        const s = swaps.get(m.id);
        if (!s) return;
        if (m.error) s.errors.push(`worker ${w.id}: ${m.error}`);
        if (--s.left === 0) {
          swaps.delete(m.id);
          if (s.from.isConnected()) s.from.send({ type: "mle:swapped", id: s.id, ...(s.errors.length ? { error: s.errors.join("; ") } : {}) } satisfies ToWorker);
        }
      } else if (m?.type === "mle:metrics") {
        aggregator.clusterMetrics().then(
          (text) => w.send({ type: "mle:metrics", id: m.id, text } satisfies ToWorker),
          (e: Error) => w.send({ type: "mle:metrics", id: m.id, text: `# metrics unavailable: ${e.message}\n` } satisfies ToWorker),
        );
      }
    });
    w.once("exit", (code, signal) => {
      live.delete(w);
      if (stopping) return;
      if (!started) return ready.reject(new Error(`worker ${w.id} exited (${signal ?? code}) before it listened`));
      o.onReplace?.(`worker ${w.id} exited (${signal ?? code}) while serving; starting another`);
      spawn();
    });
  };
  for (let k = 0; k < n; k++) spawn();
  const stop = async () => {
    stopping = true;
    await Promise.all([...live].map((w) => new Promise<void>((resolve) => (w.once("exit", () => resolve()), w.process.kill("SIGTERM")))));
  };
  try {
    return { address: await address, workers: () => [...live], stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
