import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** Renders a vega-lite spec to SVG in Node (no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export interface CurvePoint {
  model: string;
  k: number;
  value: number;
  lo: number;
  hi: number;
}

/** metric@K against K, one line per model, with the 95% interval as a band. */
export function metricAtKSpec(metric: string, points: CurvePoint[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${metric}@K (test, mean and 95% CI over seeds)`,
    width: 420,
    height: 260,
    data: { values: points },
    encoding: { x: { field: "k", type: "quantitative", title: "K", scale: { type: "log" } }, color: { field: "model", type: "nominal" } },
    layer: [
      { mark: { type: "area", opacity: 0.2 }, encoding: { y: { field: "lo", type: "quantitative", title: metric }, y2: { field: "hi" } } },
      { mark: { type: "line", point: true }, encoding: { y: { field: "value", type: "quantitative" } } },
    ],
  };
}

/** One bar per model with its interval, for a single metric. */
export function barSpec(metric: string, points: CurvePoint[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${metric} (test, mean and 95% CI over seeds)`,
    width: 420,
    height: 40 * Math.max(2, points.length),
    data: { values: points },
    encoding: { y: { field: "model", type: "nominal", sort: "-x", title: null } },
    layer: [
      { mark: "bar", encoding: { x: { field: "value", type: "quantitative", title: metric } } },
      { mark: { type: "rule", color: "black" }, encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } } },
    ],
  };
}

/** A comparison's validation curves: the watched metric after each epoch, one line per (model, seed), coloured by model. */
export function validationCurvesSpec(metric: string, points: { model: string; seed: number; epoch: number; value: number }[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `validation ${metric} by epoch (each line one seed)`,
    width: 480,
    height: 260,
    data: { values: points },
    mark: { type: "line", strokeWidth: 1.2, opacity: 0.8 },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
      y: { field: "value", type: "quantitative", title: `validation ${metric}`, scale: { zero: false } },
      color: { field: "model", type: "nominal" },
      detail: { field: "seed", type: "nominal" },
    },
  };
}

/** One epoch of one seed's training, as the learning-curve chart reads it. */
export interface EpochPoint {
  seed: string;
  epoch: number;
  loss: number;
  valid?: number;
  /** Other validation metrics of the same pass (NDCG at the largest cut-off). */
  alsoValid?: Record<string, number>;
}

/**
 * Training loss per epoch (one line per seed) and, when a validation metric was watched, that metric per
 * epoch below it with each seed's kept epoch marked by a vertical rule; then any other validation metric
 * recorded in the same passes.
 */
export function learningCurveSpec(points: EpochPoint[], kept: { seed: string; epoch: number }[], watched: string | undefined): TopLevelSpec {
  const lossPoints = points.filter((p) => Number.isFinite(p.loss));
  const validPoints = points.filter((p) => p.valid !== undefined);
  const x = { field: "epoch", type: "quantitative" as const, title: "epoch", axis: { tickMinStep: 1 } };
  const color = { field: "seed", type: "nominal" as const, title: "seed" };
  const panels = [];
  if (lossPoints.length) {
    panels.push({
      title: "training loss", width: 420, height: 180, data: { values: lossPoints },
      mark: { type: "line" as const, point: true },
      encoding: { x, y: { field: "loss", type: "quantitative" as const, title: "mean training loss", scale: { zero: false } }, color },
    });
  }
  if (validPoints.length && watched) {
    panels.push({
      title: `validation ${watched} (rule: the epoch kept)`, width: 420, height: 180,
      layer: [
        { data: { values: validPoints }, mark: { type: "line" as const, point: true }, encoding: { x, y: { field: "valid", type: "quantitative" as const, title: watched, scale: { zero: false } }, color } },
        { data: { values: kept }, mark: { type: "rule" as const, strokeDash: [4, 3] }, encoding: { x: { field: "epoch", type: "quantitative" as const }, color } },
      ],
    });
  }
  for (const name of [...new Set(points.flatMap((p) => Object.keys(p.alsoValid ?? {})))]) {
    const values = points.filter((p) => p.alsoValid?.[name] !== undefined).map((p) => ({ seed: p.seed, epoch: p.epoch, value: p.alsoValid![name] }));
    panels.push({
      title: `validation ${name}`, width: 420, height: 180, data: { values },
      mark: { type: "line" as const, point: true },
      encoding: { x, y: { field: "value", type: "quantitative" as const, title: name, scale: { zero: false } }, color },
    });
  }
  return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", vconcat: panels } as TopLevelSpec;
}

/** One tuning trial as the trials chart reads it: a parameter's value (as text for choices) and the trial's score. */
export interface TrialPoint {
  trial: number;
  parameter: string;
  value: number | string;
  score: number;
  status: string;
}

/**
 * A tuning run's trials: one panel per parameter, the validation score against the parameter's value (log axis for
 * log-searched ranges), coloured by status (finished, pruned): where the good region of each parameter lies.
 */
export function trialsSpec(metric: string, points: TrialPoint[], logScale: Record<string, boolean>): TopLevelSpec {
  const parameters = [...new Set(points.map((p) => p.parameter))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `tuning trials: validation ${metric} by parameter value`,
    hconcat: parameters.map((parameter) => {
      const numeric = points.some((p) => p.parameter === parameter && typeof p.value === "number");
      return {
        width: 220,
        height: 200,
        data: { values: points.filter((p) => p.parameter === parameter) },
        mark: { type: "point", filled: true, size: 60, opacity: 0.8 },
        encoding: {
          x: numeric
            ? { field: "value", type: "quantitative", title: parameter, scale: logScale[parameter] ? { type: "log" } : { zero: false } }
            : { field: "value", type: "nominal", title: parameter },
          y: { field: "score", type: "quantitative", title: `validation ${metric}`, scale: { zero: false } },
          color: { field: "status", type: "nominal", scale: { domain: ["finished", "pruned"], range: ["#1f77b4", "#bbbbbb"] } },
          tooltip: [{ field: "trial" }, { field: "value" }, { field: "score" }],
        },
      };
    }),
  };
}

/** Quality against cost: each model's primary metric (mean, 95% CI as a bar) against its mean training seconds (log axis), labelled. */
export function qualityVsTimeSpec(metric: string, points: { model: string; seconds: number; value: number; lo: number; hi: number }[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${metric} (test) against training time per seed`,
    width: 420,
    height: 280,
    data: { values: points },
    encoding: { x: { field: "seconds", type: "quantitative", title: "training seconds per seed (log)", scale: { type: "log" } } },
    layer: [
      { mark: { type: "rule" }, encoding: { y: { field: "lo", type: "quantitative", title: metric, scale: { zero: false } }, y2: { field: "hi" }, color: { field: "model", type: "nominal", legend: null } } },
      { mark: { type: "point", filled: true, size: 70 }, encoding: { y: { field: "value", type: "quantitative" }, color: { field: "model", type: "nominal", legend: null } } },
      { mark: { type: "text", align: "left", dx: 6, dy: -6, fontSize: 10 }, encoding: { y: { field: "value", type: "quantitative" }, text: { field: "model" } } },
    ],
  };
}
