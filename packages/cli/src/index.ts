export { loadConfig, type LoadedConfig } from "./config/load.ts";
export { experimentConfigSchema, type ExperimentConfig } from "./config/schema.ts";
export { prepareExperiment, type PreparedExperiment, type PreparedSeed } from "./runner/prepare.ts";
export { expCommand } from "./commands/exp.ts";
export { dataCommand, datasetInfo } from "./commands/data.ts";
export { runCli } from "./cli-main.ts";
export { trackingCommand } from "./commands/tracking.ts";
export { compareCommand } from "./commands/compare.ts";
