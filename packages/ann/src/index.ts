export { AnnIndex, annOptionsSchema, type AnnOptions, type VectorSpace } from "./hnsw.ts";
export { exactTopK } from "./exact.ts";
export { measureAnn, type AnnMeasurement } from "./measure.ts";
