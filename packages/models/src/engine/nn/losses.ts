import { tf } from "../backend.ts";
import { hasNativeOps, sparseSoftmaxCrossEntropy } from "../native-ops.ts";

/** Logits kept between the forward and backward pass up to this size; larger catalogues recompute them per chunk. */
const KEEP_BYTES = 1 << 30;
/** Rows per chunk so that a chunk's logits stay under about 64 MB. */
function chunkRows(nItems: number, rows: number): number {
  return Math.max(1, Math.min(rows, Math.floor((16 << 20) / Math.max(1, nItems))));
}

/** Per-row loss and its gradient with respect to the logits (softmax − one-hot) for a chunk of rows. */
function lossAndGrad(logits: tf.Tensor2D, targets: Int32Array, native: boolean): [tf.Tensor1D, tf.Tensor2D] {
  const t = tf.tensor1d(targets, "int32");
  if (native) return sparseSoftmaxCrossEntropy(logits, t); // one fused pass over the logits
  const logp = tf.logSoftmax(logits, 1);
  const onehot = tf.oneHot(t, logits.shape[1]);
  return [tf.neg(tf.sum(tf.mul(logp, onehot), 1)) as tf.Tensor1D, tf.sub(tf.exp(logp), onehot) as tf.Tensor2D];
}

/**
 * Σ_n w_n · (logsumexp_j(h_n·W_j + b_j) − (h_n·W_{t_n} + b_{t_n})): softmax cross-entropy over the whole
 * catalogue (SASRec with full softmax, Mult-VAE-like heads …). The bias rides in the matMul as an extra
 * column; the logits are computed a chunk of rows at a time, with the fused loss-and-gradient op on the
 * native backend; the gradients with respect to the logits are kept for the backward pass when they fit
 * in 1 GB and recomputed chunk by chunk otherwise, so [rows × items] never has to exist at once.
 * h: [N, d]; W: [I, d]; b: [I]; `weights` (default 1) zero out padded positions.
 */
export function chunkedSoftmaxCrossEntropy(h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, targets: Int32Array, weights?: Float32Array, maxChunk?: number): tf.Scalar {
  const [N] = h.shape;
  const I = W.shape[0];
  const c = maxChunk ?? chunkRows(I, N);
  const w = weights ?? new Float32Array(N).fill(1);
  const native = hasNativeOps();
  // Keep the logits' gradients only while a gradient is being recorded (a plain forward pass would leak them).
  const recording = (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
  const keep = recording && N * I * 4 <= KEEP_BYTES;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [hh, ww, bb] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const wb = tf.concat([ww, tf.reshape(bb, [I, 1])], 1) as tf.Tensor2D; // [W, b]: one matMul gives h·W + b
    const kept: tf.Tensor2D[] = [];
    let total = 0;
    for (let a = 0; a < N; a += c) {
      const e = Math.min(N, a + c);
      const [loss, grad] = tf.tidy(() => {
        const h1 = tf.concat([tf.slice(hh, [a, 0], [e - a, -1]), tf.ones([e - a, 1])], 1) as tf.Tensor2D;
        return lossAndGrad(tf.matMul(h1, wb, false, true), targets.subarray(a, e), native);
      });
      total += tf.tidy(() => tf.sum(tf.mul(loss, tf.tensor1d(w.subarray(a, e)))).dataSync()[0]);
      loss.dispose();
      if (keep) kept.push(grad);
      else grad.dispose();
    }
    wb.dispose();
    // Saved tensors outlive the forward pass (anything else it creates is freed with its scope).
    (args[3] as tf.GradSaveFunc)([hh, ww, bb, ...kept]);
    return {
      value: tf.scalar(total),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const scale = dy.dataSync()[0];
        const dhs: tf.Tensor[] = [];
        let dWb = tf.zeros([I, ws.shape[1] + 1]) as tf.Tensor;
        for (let k = 0, a = 0; a < N; a += c, k++) {
          const e = Math.min(N, a + c);
          const [dh, dWc] = tf.tidy(() => {
            // Row weights and dy scale the thin [rows × d] sides, not the [rows × items] gradient.
            const rw = tf.tensor2d(w.subarray(a, e).map((v) => v * scale), [e - a, 1]);
            const h1 = tf.concat([tf.slice(hs, [a, 0], [e - a, -1]), tf.ones([e - a, 1])], 1) as tf.Tensor2D;
            const g = keep ? (saved[3 + k] as tf.Tensor2D) : lossAndGrad(tf.matMul(h1, wbOf(ws, saved[2] as tf.Tensor1D), false, true), targets.subarray(a, e), native)[1];
            return [tf.mul(tf.matMul(g, ws), rw), tf.matMul(g, tf.mul(h1, rw), true, false)];
          });
          dhs.push(dh);
          const next = tf.add(dWb, dWc);
          tf.dispose([dWb, dWc]);
          dWb = next;
        }
        const dh = tf.concat(dhs, 0);
        tf.dispose(dhs);
        const [dW, db] = tf.tidy(() => [tf.slice(dWb, [0, 0], [I, ws.shape[1]]), tf.reshape(tf.slice(dWb, [0, ws.shape[1]], [I, 1]), [I])]);
        dWb.dispose();
        return [dh, dW, db];
      },
    };
  });
  return op(h, W, b) as tf.Scalar;
}

function wbOf(W: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.concat([W, tf.reshape(b, [W.shape[0], 1])], 1) as tf.Tensor2D;
}

/** −Σ x ⊙ log softmax(logits): the multinomial log-likelihood of Mult-VAE/DAE over the catalogue (x: counts or 0/1). */
export function multinomialNll(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits, 1), x))) as tf.Scalar;
}
