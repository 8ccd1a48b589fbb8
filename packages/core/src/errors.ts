/**
 * Errors a user can act on. The CLI prints `message` (no stack) and exits non-zero;
 * anything that is not a `UserError` is a bug and is printed with its stack.
 */
export class UserError extends Error {
  override name = "UserError";
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** A data file that cannot be read as the format it claims: names file and line. */
export class DataFormatError extends UserError {
  override name = "DataFormatError";
  constructor(readonly file: string, readonly line: number, readonly problem: string, hint?: string) {
    super(`${file}:${line}: ${problem}`, hint);
  }
}

/** A download or archive whose bytes are not what was published. */
export class IntegrityError extends UserError {
  override name = "IntegrityError";
}

/** One problem in an experiment config, located by key path. */
export interface ConfigIssue {
  path: string;
  expected: string;
  found: string;
  line?: number;
}

export class ConfigError extends UserError {
  override name = "ConfigError";
  constructor(readonly file: string, readonly issues: ConfigIssue[]) {
    super(
      `invalid config ${file}:\n` +
        issues
          .map((i) => `  - ${i.path || "(root)"}${i.line ? ` (line ${i.line})` : ""}: expected ${i.expected}, found ${i.found}`)
          .join("\n"),
    );
  }
}
