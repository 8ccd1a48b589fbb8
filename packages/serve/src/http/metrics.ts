import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ModelRegistry } from "./registry.ts";

/** The service's Prometheus metrics: requests by route and status, latency per route, served items and index size per model. */
export function serviceMetrics(models: ModelRegistry) {
  const registry = new Registry();
  const requests = new Counter({ name: "mle_http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"] as const, registers: [registry] });
  const latency = new Histogram({
    name: "mle_http_request_duration_seconds", help: "HTTP request latency by route", labelNames: ["route"] as const, registers: [registry],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
  });
  new Gauge({
    name: "mle_model_items", help: "items a served model ranks, and how many its HNSW index holds (0: exact scoring only)", labelNames: ["model", "what"] as const, registers: [registry], aggregator: "first", // every worker serves the same models
    collect() {
      this.reset();
      for (const m of models.list()) {
        const r = m.opened.recommender;
        this.set({ model: m.name, what: "catalogue" }, r.catalogue.size);
        this.set({ model: m.name, what: "index" }, r.index?.size ?? 0);
      }
    },
  });
  return { registry, observe: (route: string, status: number, seconds: number) => (requests.inc({ route, status: String(status) }), latency.observe({ route }, seconds)) };
}
