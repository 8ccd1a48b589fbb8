import { shaped, type ModelState, type Rng, type ShapedArray } from "@mle/core";
import { tf } from "../backend.ts";

export type Init = { kind: "glorot" } | { kind: "normal"; std: number } | { kind: "uniform"; scale: number } | { kind: "zeros" } | { kind: "ones" };

/**
 * A network's weights as named TF.js variables, initialised from the run's `Rng` (each from its own
 * stream named after the weight, so adding a layer never shifts another's initial values), and
 * convertible to and from a model's saved state.
 */
export class Params {
  private readonly vars = new Map<string, tf.Variable>();

  constructor(private readonly rng: Rng | null) {}

  /** A weight of `shape`, initialised by `init` (glorot: uniform ±√(6/(fan_in + fan_out)) over the last two dims). */
  add(name: string, shape: number[], init: Init): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} exists`);
    if (!this.rng) throw new Error("these parameters were restored from a state: nothing can be added");
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const r = this.rng.fork(`param/${name}`);
    if (init.kind === "glorot") {
      const fanIn = shape.length > 1 ? shape[shape.length - 2] : shape[0];
      const fanOut = shape[shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      r.fillUniform(values);
      for (let i = 0; i < n; i++) values[i] = (2 * values[i] - 1) * limit;
    } else if (init.kind === "uniform") {
      r.fillUniform(values);
      for (let i = 0; i < n; i++) values[i] = (2 * values[i] - 1) * init.scale;
    } else if (init.kind === "normal") r.fillNormal(values, init.std);
    else if (init.kind === "ones") values.fill(1);
    const v = variableOf(values, shape, true, name);
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  list(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** The weights as state entries `param/<name>` (copies). */
  toState(): ModelState {
    const out: ModelState = {};
    for (const [name, v] of this.vars) out[`param/${name}`] = shaped(v.dataSync().slice() as Float32Array, ...v.shape);
    return out;
  }

  /** Weights back from a saved state (every `param/…` entry). */
  static fromState(state: ModelState): Params {
    const p = new Params(null);
    for (const [key, value] of Object.entries(state)) {
      if (!key.startsWith("param/")) continue;
      const a = value as ShapedArray<Float32Array>;
      p.vars.set(key.slice(6), variableOf(a.data, a.shape, false, key.slice(6)));
    }
    return p;
  }

  /** Copies of every weight (early stopping keeps the best epoch's), and putting them back. */
  snapshot(): Float32Array[] {
    return this.list().map((v) => v.dataSync().slice() as Float32Array);
  }

  restore(snapshot: Float32Array[]): void {
    this.list().forEach((v, k) => tf.tidy(() => v.assign(tf.tensor(snapshot[k], v.shape))));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// Variable names must be unique per process; a counter keeps them so without touching any randomness.
let created = 0;

/** A variable holding `values` (the initial tensor is freed: the variable keeps the data). */
function variableOf(values: Float32Array, shape: number[], trainable: boolean, name: string): tf.Variable {
  const t = tf.tensor(values, shape);
  const v = tf.variable(t, trainable, `${name}#${++created}`);
  t.dispose();
  return v;
}

/** Runs `fn` in a tidy scope and returns its tensor's values, freeing the tensor (no tensor outlives the call). */
export function take(fn: () => tf.Tensor): Float32Array {
  const t = tf.tidy(fn);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}
