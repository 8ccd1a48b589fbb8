import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BenchError, benchDir } from "./lib/child.ts";
import { benchAe, benchAutoRec } from "./ae.ts";
import { benchAgreement } from "./agreement.ts";
import { benchEngine } from "./engine.ts";
import { benchEval } from "./eval.ts";
import { benchFull } from "./full.ts";
import { benchIngest } from "./ingest.ts";
import { benchMetric } from "./metric.ts";
import { benchMf } from "./mf.ts";
import { benchSeq } from "./seq.ts";
import { benchQueue } from "./queue.ts";
import { benchServe } from "./serve.ts";

/** `pnpm bench <name>`: each prints its own figures and, where there is a peer, the ratio. */
const benches: Record<string, () => Promise<void>> = { ingest: benchIngest, eval: benchEval, agreement: benchAgreement, mf: benchMf, engine: benchEngine, ae: benchAe, autorec: benchAutoRec, metric: benchMetric, seq: benchSeq, serve: benchServe, queue: benchQueue, full: benchFull };

mkdirSync(join(benchDir, ".data"), { recursive: true }); // every bench's scratch files live here (git-ignored)
const names = process.argv.slice(2);
const unknown = names.filter((n) => !benches[n]);
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(", ")}; known: ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
// `full` runs every configs/full config for minutes each (about an hour): only when named.
for (const n of names.length ? names : Object.keys(benches).filter((n) => n !== "full")) {
  try {
    await benches[n]();
  } catch (e) {
    if (!(e instanceof BenchError)) throw e;
    console.error(`bench ${n}: ${e.message}`);
    process.exitCode = 1;
  }
}
