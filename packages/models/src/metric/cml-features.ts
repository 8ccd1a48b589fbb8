import { UserError, itemFeatureMatrix, type Rng, type TrainSet } from "@mle/core";
import { tf } from "../engine/backend.ts";
import type { EmbeddingTable } from "../engine/embedding-table.ts";
import { AdamW, Params, dense, take } from "../engine/nn/index.ts";
import { standardised } from "../features.ts";
import type { CmlConfig } from "./config.ts";

/**
 * CML's feature loss (Hsieh et al. 2017, §3.3): an MLP f (content → ReLU hidden → d, dropout-free) and
 * λ_f·Σ_j ‖f(x_j) − v_j‖² over a batch's items. Each call adds the loss's gradient for the item vectors to the
 * item table and takes one Adam step on f.
 */
export class FeatureProjection {
  private readonly p: Params;
  private readonly opt: AdamW;
  private readonly x: { values: Float32Array; width: number };

  constructor(train: TrainSet, private readonly c: NonNullable<CmlConfig["features"]>, d: number, rng: Rng, learningRate: number) {
    if (!train.itemFeatures) throw new UserError("model.features needs the release's item content (genres, year), and this train set has none");
    this.x = standardised(itemFeatureMatrix(train.itemFeatures, { genres: true, year: true, tags: c.tags > 0 ? { top: c.tags } : undefined, genome: c.genome }));
    this.p = new Params(rng);
    this.p.add("f1", [this.x.width, c.hidden], { kind: "glorot" }), this.p.add("f1b", [c.hidden], { kind: "zeros" });
    this.p.add("f2", [c.hidden, d], { kind: "glorot" }), this.p.add("f2b", [d], { kind: "zeros" });
    this.opt = new AdamW({ learningRate });
  }

  private f(rows: tf.Tensor2D): tf.Tensor {
    const w = (k: string) => this.p.get(k) as tf.Tensor2D;
    const b = (k: string) => this.p.get(k) as tf.Tensor1D;
    return dense(tf.relu(dense(rows, w("f1"), b("f1b"))), w("f2"), b("f2b"));
  }

  private rows(items: number[]): Float32Array {
    const F = this.x.width;
    const out = new Float32Array(items.length * F);
    items.forEach((i, k) => out.set(this.x.values.subarray(i * F, (i + 1) * F), k * F));
    return out;
  }

  /** One step on the batch's items: ∂/∂v_j = 2λ_f(v_j − f(x_j)) into the table, an Adam step on f; returns the loss. */
  step(items: number[], V: Float32Array, d: number, table: EmbeddingTable): number {
    if (!items.length) return 0;
    const n = items.length;
    const v = new Float32Array(n * d);
    items.forEach((i, k) => v.set(V.subarray(i * d, (i + 1) * d), k * d));
    const x = this.rows(items);
    const fx = take(() => this.f(tf.tensor2d(x, [n, this.x.width])));
    const g = new Float32Array(d);
    items.forEach((i, k) => {
      for (let e = 0; e < d; e++) g[e] = 2 * this.c.weight * (v[k * d + e] - fx[k * d + e]);
      table.accumulate(i, g);
    });
    return this.opt.step(() => tf.tidy(() => tf.mul(this.c.weight, tf.sum(tf.square(tf.sub(this.f(tf.tensor2d(x, [n, this.x.width])), tf.tensor2d(v, [n, d]))))) as tf.Scalar), this.p);
  }

  /** f(x_j) for the given items (the vectors of items training never touched). */
  project(items: number[], d: number): Float32Array {
    if (!items.length) return new Float32Array(0);
    return take(() => tf.reshape(this.f(tf.tensor2d(this.rows(items), [items.length, this.x.width])), [items.length * d]));
  }

  dispose(): void {
    this.opt.dispose();
    this.p.dispose();
  }
}
