/** The optimizers an embedding table applies to the rows a step touched. */
export type SparseOptimizerKind = "sgd" | "adagrad" | "adam";

export interface SparseOptimizerOptions {
  kind: SparseOptimizerKind;
  learningRate: number;
  /** L2 on the touched rows, added to their gradient (the per-example regularisation of Surprise, Cornac, implicit). */
  l2?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adagrad's starting accumulator (TensorFlow's default 0.1). */
  initialAccumulator?: number;
}

/**
 * A rows × dim embedding table that owns its optimizer state and updates only the rows a step
 * touched: SGD, Adagrad, or lazy Adam (moments of untouched rows are left alone, bias correction by
 * the table's step count — TensorFlow's LazyAdam / PyTorch's SparseAdam). Recommender batches touch a
 * few hundred of 10⁵ rows, so a dense update (what TF.js's optimizers do to a variable) would cost
 * O(rows × dim) per step instead of O(touched × dim).
 *
 * Two ways in: `applyRow` updates one row at once (per-example SGD kernels: MF, BPR), and
 * `accumulate` + `step` sum a batch's gradients per row first (duplicates within a batch count once
 * per step, as a segment sum would give), then update each touched row once.
 */
export class EmbeddingTable {
  readonly weights: Float32Array;
  private readonly first: Float32Array | null; // Adam's m, Adagrad's accumulator
  private readonly second: Float32Array | null; // Adam's v
  private readonly slotOf: Int32Array; // row → its slot in the pending batch, −1 if untouched
  private pendingRows: Int32Array;
  private pendingGrad: Float32Array;
  private nPending = 0;
  private steps = 0;
  private readonly o: Required<SparseOptimizerOptions>;

  constructor(readonly rows: number, readonly dim: number, options: SparseOptimizerOptions, weights?: Float32Array) {
    if (weights && weights.length !== rows * dim) throw new Error(`embedding table ${rows}×${dim}: initial weights have ${weights.length} values`);
    this.weights = weights ?? new Float32Array(rows * dim);
    this.o = { l2: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, initialAccumulator: 0.1, ...options };
    this.first = options.kind === "sgd" ? null : new Float32Array(rows * dim).fill(options.kind === "adagrad" ? this.o.initialAccumulator : 0);
    this.second = options.kind === "adam" ? new Float32Array(rows * dim) : null;
    this.slotOf = new Int32Array(rows).fill(-1);
    this.pendingRows = new Int32Array(64);
    this.pendingGrad = new Float32Array(64 * dim);
  }

  /** How many optimizer steps `step` has taken (Adam's bias correction counts these). */
  get stepCount(): number {
    return this.steps;
  }

  /** Adds `scale · grad[offset .. offset+dim)` to the row's gradient for the coming `step`. */
  accumulate(row: number, grad: ArrayLike<number>, offset = 0, scale = 1): void {
    let slot = this.slotOf[row];
    if (slot < 0) {
      slot = this.nPending++;
      if (slot === this.pendingRows.length) this.grow();
      this.slotOf[row] = slot;
      this.pendingRows[slot] = row;
      this.pendingGrad.fill(0, slot * this.dim, (slot + 1) * this.dim);
    }
    const g = this.pendingGrad;
    const base = slot * this.dim;
    for (let f = 0; f < this.dim; f++) g[base + f] += scale * grad[offset + f];
  }

  /**
   * One optimizer step on every row `accumulate` touched since the last step; returns how many.
   * `after` sees each updated row (CML clips its norm there).
   */
  step(after?: (row: number) => void): number {
    this.steps++;
    const n = this.nPending;
    for (let s = 0; s < n; s++) {
      const row = this.pendingRows[s];
      this.update(row, this.pendingGrad, s * this.dim);
      this.slotOf[row] = -1;
      after?.(row);
    }
    this.nPending = 0;
    return n;
  }

  /** Updates one row now from `grad[offset .. offset+dim)`, fused with the optimizer rule (no step counted). */
  applyRow(row: number, grad: ArrayLike<number>, offset = 0): void {
    this.update(row, grad, offset);
  }

  private update(row: number, grad: ArrayLike<number>, offset: number): void {
    const { learningRate: lr, l2, beta1, beta2, epsilon } = this.o;
    const w = this.weights;
    const base = row * this.dim;
    if (this.o.kind === "sgd") {
      for (let f = 0; f < this.dim; f++) w[base + f] -= lr * (grad[offset + f] + l2 * w[base + f]);
    } else if (this.o.kind === "adagrad") {
      const acc = this.first!;
      for (let f = 0; f < this.dim; f++) {
        const g = grad[offset + f] + l2 * w[base + f];
        acc[base + f] += g * g;
        w[base + f] -= (lr * g) / Math.sqrt(acc[base + f] + epsilon);
      }
    } else {
      const m = this.first!;
      const v = this.second!;
      const t = Math.max(1, this.steps);
      const c1 = 1 / (1 - beta1 ** t);
      const c2 = 1 / (1 - beta2 ** t);
      for (let f = 0; f < this.dim; f++) {
        const g = grad[offset + f] + l2 * w[base + f];
        m[base + f] = beta1 * m[base + f] + (1 - beta1) * g;
        v[base + f] = beta2 * v[base + f] + (1 - beta2) * g * g;
        w[base + f] -= (lr * m[base + f] * c1) / (Math.sqrt(v[base + f] * c2) + epsilon);
      }
    }
  }

  private grow(): void {
    const rows = new Int32Array(this.pendingRows.length * 2);
    rows.set(this.pendingRows);
    const grad = new Float32Array(rows.length * this.dim);
    grad.set(this.pendingGrad);
    this.pendingRows = rows;
    this.pendingGrad = grad;
  }
}
