import { backendInfo, tf } from "./backend.ts";

type AttrValue = { kind: "type"; dtype: "float32" | "int32" } | { kind: "bool"; value: boolean } | { kind: "int"; value: number };

interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_BOOL: number; TF_ATTR_INT: number; TF_FLOAT: number; TF_INT32: number };
  executeMultipleOutputs(name: string, attrs: { name: string; type: number; value: unknown }[], inputs: tf.Tensor[], n: number): tf.Tensor[];
}

/** Whether TensorFlow ops that TF.js's public API lacks (MatrixInverse, Cholesky, TopKV2…) can run: the native backend. */
export function hasNativeOps(): boolean {
  return backendInfo().name === "tensorflow";
}

/**
 * Runs any TensorFlow op by name on the native backend — the path tfjs-node's own kernels take. Inputs stay
 * owned by the caller; outputs are new tensors (dispose them, or run inside `tf.tidy`).
 */
export function nativeOp(name: string, inputs: tf.Tensor[], attrs: Record<string, AttrValue> = {}, outputs = 1): tf.Tensor[] {
  if (!hasNativeOps()) throw new Error(`the TensorFlow op ${name} needs the native backend (pnpm setup-native)`);
  const backend = tf.backend() as unknown as NativeBackend;
  const b = backend.binding;
  const list = Object.entries(attrs).map(([attr, v]) =>
    v.kind === "type" ? { name: attr, type: b.TF_ATTR_TYPE, value: v.dtype === "float32" ? b.TF_FLOAT : b.TF_INT32 }
      : v.kind === "bool" ? { name: attr, type: b.TF_ATTR_BOOL, value: v.value }
        : { name: attr, type: b.TF_ATTR_INT, value: v.value });
  return backend.executeMultipleOutputs(name, list, inputs, outputs);
}

const F32 = { kind: "type", dtype: "float32" } as const;

/** Lower Cholesky factor L of an SPD matrix (G = L Lᵀ), batched over leading dimensions. */
export function cholesky(a: tf.Tensor): tf.Tensor {
  return nativeOp("Cholesky", [a], { T: F32 })[0];
}

/** Solves L X = B (lower) or Lᵀ X = B (`adjoint`) for triangular L, batched. */
export function triangularSolve(l: tf.Tensor, b: tf.Tensor, o: { lower?: boolean; adjoint?: boolean } = {}): tf.Tensor {
  return nativeOp("MatrixTriangularSolve", [l, b], { lower: { kind: "bool", value: o.lower ?? true }, adjoint: { kind: "bool", value: o.adjoint ?? false }, T: F32 })[0];
}

/** A⁻¹ by LU with partial pivoting, batched. */
export function matrixInverse(a: tf.Tensor): tf.Tensor {
  return nativeOp("MatrixInverse", [a], { adjoint: { kind: "bool", value: false }, T: F32 })[0];
}

/**
 * TensorFlow's fused sparse softmax cross-entropy: for logits [N, I] and target ids [N], the per-row loss
 * [N] and its gradient with respect to the logits [N, I] (softmax − one-hot), in one pass over the logits.
 */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): [tf.Tensor1D, tf.Tensor2D] {
  const [loss, backprop] = nativeOp("SparseSoftmaxCrossEntropyWithLogits", [logits, targets], { T: F32, Tlabels: { kind: "type", dtype: "int32" } }, 2);
  return [loss as tf.Tensor1D, backprop as tf.Tensor2D];
}

/**
 * Uniform floats in [0, 1) of `shape` from TensorFlow's counter-based Philox generator, keyed by `seed` (two
 * 32-bit words drawn from the run's generator): the same seed gives the same values on every run, and no
 * value crosses from JS.
 */
export function statelessUniform(shape: number[], seed: [number, number]): tf.Tensor {
  const s = tf.tensor1d(shape, "int32");
  const k = tf.tensor1d([seed[0] | 0, seed[1] | 0], "int32");
  try {
    return nativeOp("StatelessRandomUniform", [s, k], { dtype: F32, T: { kind: "type", dtype: "int32" }, Tseed: { kind: "type", dtype: "int32" } })[0];
  } finally {
    tf.dispose([s, k]);
  }
}
