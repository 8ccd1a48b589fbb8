import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { log } from "@mle/core";
import type { RunRecorder } from "@mle/tracking";

/**
 * Ctrl-C (or SIGTERM) during a run. The terminal signals every process of the tree (pnpm, tsx, this one),
 * and tsx relays it again, so the first signal ends the tracked runs KILLED (flushing what was logged),
 * removes the folders of seeds that did not finish, notes the interruption in `interrupted.json` and exits
 * 130; later signals wait for that. Long loops yield between blocks, so this happens within one block.
 */
export class InterruptGuard {
  recorder: RunRecorder | null = null;
  /** Seed folders that would hold half-written results if the run stopped now. */
  unfinished: string[] = [];
  readonly finished: number[] = [];
  private stopping = false;
  private readonly handler = (signal: NodeJS.Signals) => this.stop(signal);

  constructor(private readonly outDir: string) {
    process.on("SIGINT", this.handler);
    process.on("SIGTERM", this.handler);
  }

  seedDone(seed: number, dir: string): void {
    this.unfinished = this.unfinished.filter((d) => d !== dir);
    this.finished.push(seed);
  }

  dispose(): void {
    process.removeListener("SIGINT", this.handler);
    process.removeListener("SIGTERM", this.handler);
  }

  private stop(signal: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = true;
    log(`interrupted (${signal}): ending the runs as KILLED; seeds that finished stay in ${this.outDir}`);
    void (async () => {
      await this.recorder?.endAll("KILLED").catch((e: Error) => log(`tracking: ${e.message}`));
      for (const dir of this.unfinished) rmSync(dir, { recursive: true, force: true });
      mkdirSync(this.outDir, { recursive: true });
      writeFileSync(join(this.outDir, "interrupted.json"), `${JSON.stringify({ signal, at: new Date().toISOString(), finishedSeeds: this.finished }, null, 2)}\n`);
      process.exit(130);
    })();
  }
}
