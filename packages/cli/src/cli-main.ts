import { ConfigError, UserError } from "@mle/core";

/** Runs a command; user errors print as one clear message (no stack) with a non-zero exit. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
      process.exitCode = e instanceof ConfigError ? 2 : 1;
      return;
    }
    throw e;
  }
}
