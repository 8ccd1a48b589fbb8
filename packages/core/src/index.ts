export { Rng } from "./rng.ts";
export { UserError, DataFormatError, IntegrityError, ConfigError, type ConfigIssue } from "./errors.ts";
export { sha256, fileDigest, stableStringify } from "./hash.ts";
export { progressBar, setQuiet, log, type ProgressBar, type ProgressOptions } from "./progress.ts";
export { isSparse, type EmbeddingModel, type History, type UserVector, type SparseVector } from "./embedding.ts";
export { startTsWorker } from "./worker.ts";
