import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setQuiet } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { initBackend } from "@mle/models";
import { trainedModelDir } from "../test-model.ts";
import { ModelRegistry } from "./registry.ts";
import { buildServer } from "./server.ts";

const mirror = testMirror();
const tmp = tempDir();
let app: FastifyInstance;
let models: ModelRegistry;
let dirs: string[];
afterAll(async () => {
  await app?.close();
  tmp.cleanup();
});

const post = (payload: unknown) => app.inject({ method: "POST", url: "/recommend", payload: payload as object });

describe.skipIf(!mirror)(`the HTTP service on saved ml-latest-small models (skips when ${noMirrorReason})`, () => {
  beforeAll(async () => {
    setQuiet(true);
    await initBackend();
    dirs = [await trainedModelDir(tmp.dir, mirror!, 32, "a"), await trainedModelDir(tmp.dir, mirror!, 16, "b")];
    models = new ModelRegistry({ mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
    await models.load("ials", dirs[0]);
    app = await buildServer(models, { bodyLimit: 64 * 1024 });
  });

  it("POST /recommend answers what the recommender answers; GET /similar and /movies find movies", async () => {
    const history = [{ movieId: 1, rating: 5 }, { movieId: 3114, rating: 5 }, { movieId: 99999999, rating: 4 }];
    const r = await post({ history, k: 5, explain: true });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    const rec = models.get("ials").opened.recommender;
    expect(body.recommendations.map((m: { movieId: number }) => m.movieId)).toEqual(rec.recommend(rec.history(history).history, { k: 5 }).map((m) => m.movieId));
    expect(body).toMatchObject({ model: "ials", search: "hnsw", history: 2, unknown: [99999999] });
    expect(body.recommendations[0].because).toHaveLength(2);
    const sim = (await app.inject({ method: "GET", url: "/similar/1?k=3" })).json();
    expect(sim.movie.title).toBe("Toy Story (1995)");
    expect(sim.similar).toHaveLength(3);
    const movies = (await app.inject({ method: "GET", url: "/movies?q=matrix&limit=2" })).json();
    expect(movies.movies[0].title).toBe("Matrix, The (1999)");
  });

  it("bad input gets a 4xx with a message that says what is wrong", async () => {
    const cases: [Promise<{ statusCode: number; json: () => { message: string } }>, number, RegExp][] = [
      [post({ history: [] }), 400, /history: Too small/i],
      [post({ history: [{ movieId: 1, rating: 5 }], k: 0 }), 400, /^k: /],
      [post({ history: [{ movieId: 1, rating: 9 }] }), 400, /history\.0\.rating/],
      [post({ history: [{ movieId: 1, rating: 5 }], userId: 3 }), 400, /exactly one of userId and history/],
      [post({ history: [{ movieId: 99999999, rating: 5 }] }), 400, /none of the history's 1 movies is usable/],
      [post({ history: [{ movieId: 1, rating: 5 }], model: "nope" }), 404, /no model named "nope" is served \(served: ials\)/],
      [post({ userId: 1 }), 404, /user 1 is not in this run's split/],
      [app.inject({ method: "POST", url: "/recommend", headers: { "content-type": "application/json" }, payload: "{\"history\": [" }), 400, /not valid JSON/],
      [post({ history: Array.from({ length: 4000 }, (_, i) => ({ movieId: i, rating: 4 })) }), 413, /over 65536 bytes/],
      [app.inject({ method: "GET", url: "/similar/99999999" }), 404, /movie 99999999 is not in ials's catalogue/],
      [app.inject({ method: "GET", url: "/similar/abc" }), 400, /movieId/],
      [app.inject({ method: "GET", url: "/movies" }), 400, /^q: /],
      [app.inject({ method: "GET", url: "/nowhere" }), 404, /no route GET \/nowhere/],
    ];
    for (const [request, status, message] of cases) {
      const r = await request;
      expect([r.statusCode, r.json().message]).toEqual([status, expect.stringMatching(message)]);
    }
  });

  it("GET /health, /metrics (Prometheus text) and /openapi.json (from the request schemas)", async () => {
    expect((await app.inject({ method: "GET", url: "/health" })).json()).toMatchObject({ status: "ok", models: [{ name: "ials", index: true, items: 9724 }] });
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toMatch(/mle_http_requests_total\{route="\/recommend",status="200"\} \d+/);
    expect(text).toMatch(/mle_http_request_duration_seconds_bucket\{le="0.01",route="\/recommend"\} \d+/);
    expect(text).toContain('mle_model_items{model="ials",what="index"} 9724');
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    const body = doc.paths["/recommend"].post.requestBody.content["application/json"].schema;
    expect(body.properties.k).toMatchObject({ type: "integer", minimum: 1, maximum: 1000, default: 10 });
    expect(doc.paths["/movies"].get.parameters.find((p: { name: string }) => p.name === "q").required).toBe(true);
  });

  it("PUT /models/:name swaps a model while requests run, and none of them fails", async () => {
    const history = [{ movieId: 1, rating: 5 }, { movieId: 260, rating: 5 }];
    const inFlight = Array.from({ length: 60 }, () => post({ history, k: 10 }));
    const swap = app.inject({ method: "PUT", url: "/models/ials", payload: { path: dirs[1] } });
    const more = Array.from({ length: 60 }, () => post({ history, k: 10 }));
    const all = await Promise.all([...inFlight, ...more]);
    expect(all.map((r) => r.statusCode).filter((s) => s !== 200)).toEqual([]);
    expect((await swap).statusCode).toBe(200);
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.models).toEqual([expect.objectContaining({ name: "ials", path: dirs[1], model: "ials(d=16)" })]);
    const bad = await app.inject({ method: "PUT", url: "/models/ials", payload: { path: join(tmp.dir, "missing") } });
    expect([bad.statusCode, bad.json().message]).toEqual([400, expect.stringMatching(/does not exist/)]);
    expect((await post({ history, k: 3 })).statusCode).toBe(200); // the failed load left the served model alone
  });
  it("GET /map: one seeded UMAP per model, shared by concurrent requests, saved beside the model; the service answers meanwhile", async () => {
    const file = join(dirs[1], "serve-map.json");
    rmSync(file, { force: true });
    await models.load("map", dirs[1]);
    const order: string[] = [];
    const maps = [1, 2].map(() => app.inject({ url: "/map?model=map" }).then((r) => (order.push("map"), r)));
    const health = app.inject({ url: "/health" }).then((r) => (order.push("health"), r));
    const [a, b] = await Promise.all(maps);
    expect((await health).statusCode).toBe(200);
    expect(order[0]).toBe("health"); // the layout yields between epochs: other requests are not held up by it
    expect(a.statusCode, a.body).toBe(200);
    expect(a.body).toBe(b.body);
    const first = a.json() as { model: string; points: { movieId: number; title: string; x: number; y: number }[] };
    expect(first.model).toBe("map");
    expect(first.points.length).toBe(4000); // a seeded sample of the catalogue's 9,724 movies
    expect(first.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.title.length > 0)).toBe(true);
    expect(existsSync(file)).toBe(true);
    rmSync(file);
    const again = await app.inject({ url: "/map?model=map" });
    expect(again.body).toBe(a.body); // same seed, same layout
    expect((await app.inject({ url: "/map?model=nope" })).statusCode).toBe(404);
  });
});
