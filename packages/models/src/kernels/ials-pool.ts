import { WorkerPool } from "../engine/worker-pool.ts";
import { solveRows, type AlsParams } from "./ials-solve.ts";
import type { CsrLists } from "./lists.ts";

interface AlsShared {
  P: Float32Array;
  Q: Float32Array;
  G: Float64Array;
  users: CsrLists;
  items: CsrLists;
  params: AlsParams;
}

/**
 * iALS half-steps over worker threads: P, Q, G and the CSR lists live in shared memory; each
 * half-step splits the rows into ranges of about equal work (|I_x| d + d² per row), the main thread
 * taking one. Rows are solved independently, so the result does not depend on the thread count.
 */
export class AlsPool {
  private constructor(private readonly pool: WorkerPool, private readonly s: AlsShared) {}

  static async start(threads: number, s: AlsShared): Promise<AlsPool> {
    return new AlsPool(await WorkerPool.start(new URL("./ials-worker.ts", import.meta.url), threads, s), s);
  }

  /** Solves every row of one side (the caller has put the other side's Gramian in G). */
  async solve(side: "users" | "items"): Promise<void> {
    const { P, Q, G, params } = this.s;
    const lists = side === "users" ? this.s.users : this.s.items;
    const [X, Y] = side === "users" ? [P, Q] : [Q, P];
    const cuts = balancedCuts(lists, lists.offsets.length - 1, this.pool.size + 1, params.d);
    const done = this.pool.run(cuts.slice(1, -1).map((from, k) => ({ side, from, to: cuts[k + 2] })));
    solveRows(X, Y, G, lists, cuts[0], cuts[1], Y.length / params.d, params);
    await done;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** parts + 1 row boundaries splitting Σ (|I_x| d + d²) about evenly. */
function balancedCuts(lists: CsrLists, n: number, parts: number, d: number): number[] {
  const total = lists.offsets[n] * d + n * d * d;
  const cuts = [0];
  let x = 0;
  for (let k = 1; k < parts; k++) {
    const goal = (total * k) / parts;
    while (x < n && lists.offsets[x] * d + x * d * d < goal) x++;
    cuts.push(x);
  }
  cuts.push(n);
  return cuts;
}
