import cliProgress from "cli-progress";

/** One long loop's progress: bytes downloaded, rows parsed, epochs trained. */
export interface ProgressBar {
  /** Set the absolute amount done. */
  update(done: number): void;
  /** Finish the bar (prints a final line). */
  stop(): void;
}

export interface ProgressOptions {
  /** What is being counted ("B" formats as MiB). */
  unit?: "B" | "rows" | "items";
  /** Where to write; defaults to stderr. */
  stream?: NodeJS.WriteStream;
}

let silent = false;
/** Turn every progress bar and log line off (tests, `--quiet`); returns the previous setting, to restore. */
export function setQuiet(quiet: boolean): boolean {
  const was = silent;
  silent = quiet;
  return was;
}

/** Informational line on stderr, so stdout stays machine-readable. */
export function log(message: string): void {
  if (!silent) process.stderr.write(`${message}\n`);
}

/**
 * A bar on a terminal; on a pipe or in CI, a plain line at most every 5 s,
 * so logs stay readable. `total` of 0 means unknown.
 */
export function progressBar(label: string, total: number, options: ProgressOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const fmt = options.unit === "B" ? (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB` : (n: number) => n.toLocaleString("en-US");
  if (silent) return { update() {}, stop() {} };
  if (stream.isTTY && !process.env.CI) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {doneFmt}/{totalFmt} | eta {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { doneFmt: fmt(0), totalFmt: total ? fmt(total) : "?" });
    return {
      update: (done) => bar.update(done, { doneFmt: fmt(done) }),
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let last = started;
  let current = 0;
  return {
    update(done) {
      current = done;
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      const pct = total ? ` (${((100 * done) / total).toFixed(0)}%)` : "";
      stream.write(`${label}: ${fmt(done)}${total ? `/${fmt(total)}` : ""}${pct}\n`);
    },
    stop() {
      stream.write(`${label}: ${fmt(current || total)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}
