// Worker entry: solves ranges of iALS rows in memory shared with the main thread.
import { parentPort, workerData } from "node:worker_threads";
import { solveRows, type AlsParams } from "./ials-solve.ts";
import type { CsrLists } from "./lists.ts";

const w = workerData as { P: Float32Array; Q: Float32Array; G: Float64Array; users: CsrLists; items: CsrLists; params: AlsParams };
parentPort!.on("message", (m: { side: "users" | "items"; from: number; to: number }) => {
  if (m.side === "users") solveRows(w.P, w.Q, w.G, w.users, m.from, m.to, w.Q.length / w.params.d, w.params);
  else solveRows(w.Q, w.P, w.G, w.items, m.from, m.to, w.P.length / w.params.d, w.params);
  parentPort!.postMessage("done");
});
