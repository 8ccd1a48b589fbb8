export { openModel, buildServeIndex, type OpenedModel, type OpenOptions } from "./open.ts";
export { locateModel, type ModelLocation } from "./locate.ts";
export { Catalogue, type Movie } from "./catalogue.ts";
export { Recommender, MAX_K, type Rated, type Recommendation, type RecommendOptions, type Feedback, type SearchPath } from "./recommender.ts";
export { parseHistoryList, readHistoryFile } from "./history-input.ts";
export { buildServer, type ServerOptions } from "./http/server.ts";
export { ModelRegistry, type ServedModel } from "./http/registry.ts";
export { NotFound } from "./errors.ts";
export { openApiDocument } from "./http/openapi.ts";
