/**
 * The contract every model keeps: one embedding space. Items have vectors; any user — seen in
 * training or not — gets a vector from their history, with no retraining; ranking is the declared
 * similarity between the two, so exact or approximate nearest-neighbour search over `itemVectors`
 * returns the model's own top-K. Biases are folded into extra dimensions by the model.
 */
export interface EmbeddingModel {
  /** e.g. "ease(λ=500)" — for tables and logs. */
  readonly name: string;
  readonly dim: number;
  readonly nItems: number;
  readonly similarity: "dot" | "cosine";
  /** nItems × dim, row-major: row i is item i's vector. */
  readonly itemVectors: Float32Array;
  /** A user's vector from their history: dense (length dim) or sparse (for history-row models like EASE). */
  userVector(history: History): UserVector;
  /** Many users at once (a network's forward pass over a batch): the same vectors as `userVector` one by one. */
  userVectors?(histories: History[]): UserVector[];
  /**
   * A two-stage model's first stage: the items it proposes for this history (the history itself left out).
   * The ranking is the dot product within them; every other item ranks after them (by the same score).
   */
  candidates?(history: History): Int32Array;
  /** Predicted rating, for models trained on explicit ratings (RMSE/MAE). */
  predictRatings?(history: History, items: Int32Array): Float32Array;
}

export type UserVector = Float32Array | SparseVector;

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** What a user did: item indices (in the model's item space) with their ratings and times. */
export interface History {
  items: Int32Array;
  ratings: Float32Array;
  timestamps?: Uint32Array;
}

export function isSparse(v: UserVector): v is SparseVector {
  return !(v instanceof Float32Array);
}
