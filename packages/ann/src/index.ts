export { AnnIndex, annOptionsSchema, type AnnGraph, type AnnOptions, type VectorSpace } from "./hnsw.ts";
export { exactTopK } from "./exact.ts";
export { ExactReference, measureAnn, type AnnMeasurement } from "./measure.ts";
export { EXPANSION_LADDER, calibrateSearch, type SearchCalibration } from "./calibrate.ts";
