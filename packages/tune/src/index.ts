export { searchSpaceSchema, numericScale, type SearchSpace, type ParameterSpec, type Params, type ParamValue } from "./space.ts";
export { GridSampler, RandomSampler, TpeSampler, type Sampler, type ScoredTrial, type TpeOptions } from "./samplers.ts";
export { MedianPruner } from "./pruner.ts";
