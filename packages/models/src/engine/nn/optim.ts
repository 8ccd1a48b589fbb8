import { tf } from "../backend.ts";
import type { Params } from "./params.ts";

export interface AdamWOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (Loshchilov & Hutter): w ← w − lr·λ·w before the Adam step (0: plain Adam). */
  weightDecay?: number;
  /** Clip the gradients' global L2 norm to this (0: no clipping). */
  clipNorm?: number;
}

/** Adam or AdamW over a network's parameters, with optional global-norm clipping; one call per batch. */
export class AdamW {
  private readonly adam: tf.Optimizer;

  constructor(private readonly o: AdamWOptions) {
    this.adam = tf.train.adam(o.learningRate, o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.epsilon ?? 1e-8);
  }

  /**
   * One step on `loss` (a scalar built from the parameters): gradients, clipping, decay, update.
   * Returns the loss. Every intermediate tensor is freed.
   */
  step(loss: () => tf.Scalar, params: Params): number {
    const vars = params.list();
    const { value, grads } = tf.variableGrads(loss, vars);
    let g: tf.NamedTensorMap = grads;
    if (this.o.clipNorm && this.o.clipNorm > 0) {
      const clipped = clipByGlobalNorm(grads, this.o.clipNorm);
      tf.dispose(Object.values(grads));
      g = clipped;
    }
    const decay = (this.o.weightDecay ?? 0) * this.o.learningRate;
    if (decay > 0) for (const v of vars) tf.tidy(() => v.assign(tf.mul(v, 1 - decay)));
    this.adam.applyGradients(g);
    tf.dispose(Object.values(g));
    const out = value.dataSync()[0];
    value.dispose();
    return out;
  }

  dispose(): void {
    this.adam.dispose();
  }
}

/** Gradients scaled so that their joint L2 norm is at most `maxNorm` (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = Math.sqrt(tf.addN(sq).dataSync()[0]);
    const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
    return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
  });
}
