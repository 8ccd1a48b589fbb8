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
  const fmt = options.unit === "B" ? (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB` : count;
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

const count = (n: number): string => n.toLocaleString("en-US");

/** Reports how far one pass has got: `done` of `total` units. */
export type StepProgress = (done: number, total: number) => void;

/**
 * Progress inside one long pass (an epoch at full size can take an hour): a line at most every `everyMs`,
 * the first only once the pass has run that long, so short passes stay silent. Each line gives the rate and
 * the time left at that rate. `now` and `write` are the clock and the sink (tests pass their own).
 */
export function stepProgress(label: string, unit: string, everyMs = 30_000, now: () => number = Date.now, write: (line: string) => void = log): StepProgress {
  const started = now();
  let last = started;
  return (done, total) => {
    const t = now();
    if (t - last < everyMs || done <= 0) return;
    last = t;
    const seconds = (t - started) / 1000;
    const rate = done / seconds;
    write(`${label}: ${count(done)}/${count(total)} ${unit} (${((100 * done) / total).toFixed(1)}%) in ${duration(seconds)}, ${rate.toPrecision(3)} ${unit}/s, ${duration((total - done) / rate)} left`);
  };
}

/** 75 → "1 m 15 s", 4000 → "1 h 6 m". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
}
