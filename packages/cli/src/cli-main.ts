import { ConfigError, UserError } from "@mle/core";

/** What the operating system says about a file or a socket, in words a user can act on. */
const SYSTEM: Record<string, [string, string]> = {
  ENOENT: ["does not exist", "check the path"],
  EACCES: ["cannot be read or written (permission denied)", "check the file's permissions, or choose another folder"],
  EPERM: ["cannot be changed (operation not permitted)", "check the file's permissions, or choose another folder"],
  EISDIR: ["is a folder, not a file", "pass a file"],
  ENOTDIR: ["is not a folder", "check the path"],
  ENOSPC: ["cannot be written: the disk is full", "free some space, or choose another folder (e.g. --out, MOVIELENS_CACHE)"],
  EROFS: ["cannot be written: the file system is read-only", "choose another folder (e.g. --out, MOVIELENS_CACHE)"],
  EMFILE: ["cannot be opened: too many open files", "raise the limit (ulimit -n) and run again"],
};

/** A user-facing form of an error, or null for a bug (printed with its stack). */
export function userMessage(e: unknown): { message: string; hint?: string; code: number } | null {
  if (e instanceof UserError) return { message: e.message, hint: e.hint, code: e instanceof ConfigError ? 2 : 1 };
  const sys = e as NodeJS.ErrnoException;
  if (sys && typeof sys.code === "string" && SYSTEM[sys.code]) {
    const [what, hint] = SYSTEM[sys.code];
    return { message: `${sys.path ?? "a file"} ${what} (${sys.code}${sys.syscall ? ` in ${sys.syscall}` : ""})`, hint, code: 1 };
  }
  return null;
}

/**
 * Runs a command. Errors a user can cause print as one clear message and a hint, with a non-zero exit
 * (2 for an invalid config); anything else is a bug and prints its stack with a line saying so.
 */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const u = userMessage(e);
    if (u) {
      process.stderr.write(`error: ${u.message}\n${u.hint ? `hint: ${u.hint}\n` : ""}`);
      process.exitCode = u.code;
      return;
    }
    process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\nThis is a bug in movielens-embeddings, not something you did; the details below help fix it:\n${(e as Error)?.stack ?? ""}\n`);
    process.exitCode = 70; // EX_SOFTWARE
  }
}
