import { tf } from "./backend.ts";
import type { EmbeddingTable } from "./embedding-table.ts";

/**
 * An `EmbeddingTable` as a differentiable TensorFlow.js lookup, so dense layers (autoencoders,
 * transformers) can sit on top of sparse embeddings. The lookup is a custom-gradient op whose only
 * tensor input is a scalar "anchor" variable: backprop reaches it like any trainable variable, and
 * its gradient function hands dy (batch × dim) to the table row by row instead of materialising a
 * rows × dim gradient. `sparseTrainStep` then applies the dense optimizer to the real variables and
 * one fused sparse step to each table.
 */
let anchors = 0;

export class TfEmbedding {
  readonly anchor: tf.Variable;

  constructor(readonly table: EmbeddingTable, name = "embedding") {
    // Variable names must be unique in the process; a counter keeps them so without touching any randomness.
    this.anchor = tf.variable(tf.scalar(0), true, `${name}/anchor-${++anchors}`);
  }

  /** The rows `ids` as an ids.length × dim tensor (a copy of the table's current values). */
  lookup(ids: Int32Array): tf.Tensor2D {
    const { table } = this;
    const d = table.dim;
    const rows = new Float32Array(ids.length * d);
    for (let k = 0; k < ids.length; k++) rows.set(table.weights.subarray(ids[k] * d, (ids[k] + 1) * d), k * d);
    const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.tensor2d(rows, [ids.length, d]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const g = (Array.isArray(dy) ? dy[0] : dy).dataSync() as Float32Array;
        for (let k = 0; k < ids.length; k++) table.accumulate(ids[k], g, k * d);
        return tf.zerosLike(inputs[0] as tf.Tensor);
      },
    }));
    return op(this.anchor) as tf.Tensor2D;
  }

  dispose(): void {
    this.anchor.dispose();
  }
}

/**
 * One training step: the loss's gradients for every trainable variable (the tables' anchors route
 * theirs into the tables), the dense optimizer on the variables that are not anchors, then one
 * sparse step per table. Returns the loss.
 */
export function sparseTrainStep(loss: () => tf.Scalar, embeddings: TfEmbedding[], dense: tf.Optimizer | null): number {
  const anchors = new Set(embeddings.map((e) => e.anchor.name));
  const { value, grads } = tf.variableGrads(loss);
  const denseGrads: tf.NamedTensorMap = {};
  for (const [name, g] of Object.entries(grads)) {
    if (anchors.has(name)) g.dispose();
    else denseGrads[name] = g;
  }
  if (dense && Object.keys(denseGrads).length) dense.applyGradients(denseGrads);
  tf.dispose(Object.values(denseGrads));
  for (const e of embeddings) e.table.step();
  const out = value.dataSync()[0];
  value.dispose();
  return out;
}
