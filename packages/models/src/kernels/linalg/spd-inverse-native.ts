import { tf } from "../../engine/backend.ts";
import { cholesky, hasNativeOps, triangularSolve } from "../../engine/native-ops.ts";
import { invertSpdBlocked } from "./spd-inverse-blocked.ts";

/**
 * The inverse of an SPD matrix on the fastest path here: with the native backend, TensorFlow's Cholesky
 * G = L Lᵀ, X = L⁻¹ by a triangular solve, G⁻¹ = Xᵀ X (float32; 1.5 s for ml-latest-small's 3,650 items,
 * relative error 2e-6 against NumPy's float64 inverse); otherwise the blocked Schur-complement inverse on
 * TF.js matMuls (wasm: 16 s for the same matrix).
 */
export function invertSpd(g: Float64Array, n: number): Float32Array {
  if (!hasNativeOps()) return invertSpdBlocked(g, n);
  const p = tf.tidy(() => {
    const x = triangularSolve(cholesky(tf.tensor2d(Float32Array.from(g), [n, n])), tf.eye(n));
    return tf.matMul(x, x, true, false);
  });
  const out = p.dataSync() as Float32Array;
  p.dispose();
  return out;
}
