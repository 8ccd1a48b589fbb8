import { closeSync, openSync } from "node:fs";

/**
 * Runs `load` with the process's stderr (fd 2) pointed at /dev/null, then points it back. TensorFlow's C library
 * prints a notice that oneDNN is on as it loads, through a logger that TF_CPP_MIN_LOG_LEVEL does not reach yet; a run
 * records the kernels it used instead (BackendInfo.onednn). Node has no dup2, so stderr is reopened from
 * /proc/self/fd/2: Linux only, and only for a terminal, pipe or file. Elsewhere, or where stderr is a socket (what
 * Node's child_process gives a child) or closed, `load` runs as it is and the notice shows. `load` must be
 * synchronous, so that no other JavaScript runs while stderr is away.
 */
export function withoutStderr<T>(load: () => T): T {
  let saved: number;
  try {
    saved = openSync("/proc/self/fd/2", "a");
  } catch {
    return load();
  }
  closeSync(2);
  // open() takes the lowest free descriptor, so 2 (this runs at start-up, before anything opens files in parallel).
  const devNull = openSync("/dev/null", "w");
  try {
    return load();
  } finally {
    closeSync(devNull);
    openSync(`/proc/self/fd/${saved}`, "a"); // 2 again: the original stderr
    closeSync(saved);
  }
}
