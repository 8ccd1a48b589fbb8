import { z } from "zod";

/** A real-valued hyperparameter in [lo, hi]; `log` searches its logarithm (learning rates, regularisation). */
const floatSchema = z.strictObject({ float: z.tuple([z.number(), z.number()]), log: z.boolean().default(false) });
/** A whole-numbered hyperparameter in [lo, hi] (factors, layers); `log` as for floats. */
const intSchema = z.strictObject({ int: z.tuple([z.number().int(), z.number().int()]), log: z.boolean().default(false) });
/** One of a list of values (a loss, an optimizer, a few factor sizes). */
const choiceSchema = z.strictObject({ choice: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) });

const parameterSchema = z.union([floatSchema, intSchema, choiceSchema]).superRefine((p, ctx) => {
  const range = "float" in p ? p.float : "int" in p ? p.int : null;
  if (!range) return;
  if (!(range[0] < range[1])) ctx.addIssue({ code: "custom", message: `expected lo < hi, found [${range[0]}, ${range[1]}]` });
  if (("log" in p && p.log) && range[0] <= 0) ctx.addIssue({ code: "custom", message: `a log scale needs lo > 0, found ${range[0]}` });
});

/**
 * A search space: each key is a config path as `--set` takes it (`model.factors`, `training.learningRate`) and its
 * range or choices.
 */
export const searchSpaceSchema = z.record(z.string(), parameterSchema).superRefine((s, ctx) => {
  if (!Object.keys(s).length) ctx.addIssue({ code: "custom", message: "a search space needs at least one parameter" });
  for (const key of Object.keys(s)) {
    if (!/^[A-Za-z]\w*(\.[A-Za-z]\w*)*$/.test(key)) ctx.addIssue({ code: "custom", path: [key], message: `expected a dotted config path such as model.factors, found "${key}"` });
  }
});

export type ParameterSpec = z.infer<typeof parameterSchema>;
export type SearchSpace = z.infer<typeof searchSpaceSchema>;
export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

/** A numeric parameter on the scale it is searched on: [lo, hi] of x or of log x, and whether it is whole-numbered. */
export interface NumericScale {
  lo: number;
  hi: number;
  log: boolean;
  int: boolean;
}

export function numericScale(p: ParameterSpec): NumericScale | null {
  if ("choice" in p) return null;
  const [a, b] = "float" in p ? p.float : p.int;
  // Whole numbers are searched over [lo − ½, hi + ½] and rounded, so each end is as likely as the middle values.
  const [lo, hi] = "int" in p ? [a - 0.5, b + 0.5] : [a, b];
  return p.log ? { lo: Math.log(Math.max(lo, Number.MIN_VALUE)), hi: Math.log(hi), log: true, int: "int" in p } : { lo, hi, log: false, int: "int" in p };
}

/** A point on the search scale back to the parameter's value (exp for log scales, rounded and clamped for ints). */
export function fromScale(p: ParameterSpec, s: NumericScale, x: number): number {
  const v = s.log ? Math.exp(x) : x;
  if (!s.int) return Math.min(Math.max(v, (p as { float: [number, number] }).float[0]), (p as { float: [number, number] }).float[1]);
  const [lo, hi] = (p as { int: [number, number] }).int;
  return Math.min(Math.max(Math.round(v), lo), hi);
}

/** A parameter's value on its search scale. */
export function toScale(s: NumericScale, v: number): number {
  return s.log ? Math.log(v) : v;
}
