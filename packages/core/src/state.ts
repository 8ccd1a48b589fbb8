/**
 * A trained model's state as plain typed arrays with shapes and scalars: what a model artifact
 * saves, what serving loads, and what a family rebuilds its `EmbeddingModel` from.
 */
export type StateArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A typed array with its shape (row-major; the product of the shape is the length). */
export interface ShapedArray<T extends StateArray = StateArray> {
  data: T;
  shape: number[];
}

export type StateValue = ShapedArray | number | string | boolean;

/** A family's trained state: named arrays and scalars, nothing hidden in closures. */
export type ModelState = { [name: string]: StateValue };

/** `data` viewed with `shape`, checked. */
export function shaped<T extends StateArray>(data: T, ...shape: number[]): ShapedArray<T> {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`an array of ${data.length} values cannot have shape [${shape.join(", ")}]`);
  return { data, shape };
}

export function isShapedArray(v: StateValue): v is ShapedArray {
  return typeof v === "object" && v !== null && ArrayBuffer.isView((v as ShapedArray).data);
}
