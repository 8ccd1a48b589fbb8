export { modelConfigSchema, TRAINABLE_FAMILIES, type ModelConfig } from "./config.ts";
export { mfConfigSchema, type MfConfig } from "./mf/config.ts";
