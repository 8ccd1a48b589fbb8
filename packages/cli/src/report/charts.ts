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
