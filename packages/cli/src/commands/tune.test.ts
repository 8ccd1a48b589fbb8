import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MlflowRestClient } from "@mle/tracking";
import { mlflowBin, noMlflowReason, startMlflowServer, stopAllServers } from "@mle/tracking/testing";
import { noMirrorReason, repoRoot, tempDir, testMirror } from "@mle/core/testing";
import { parse } from "yaml";
import { searchSpaceSchema } from "@mle/tune";
import { loadConfig } from "../config/load.ts";

const mirror = testMirror();
const tmp = tempDir();
afterAll(tmp.cleanup);
afterAll(stopAllServers);
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
/** EASE on ML-100k with a validation part (the shipped config has none): trials take about a second. */
const base = ["configs/ml100k/ease.yaml", "--set", "split.train=0.675", "--set", "split.valid=0.075"];
const lambda = "{model.lambda: {float: [10, 3000], log: true}}";

function tune(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(tsx, [join(repoRoot, "packages/cli/src/bin/tune.ts"), ...args], {
    cwd: repoRoot, encoding: "utf8", env: { ...process.env, MOVIELENS_MIRROR: mirror ?? "", MOVIELENS_CACHE: join(tmp.dir, "cache"), CI: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Trials = { metric: string; trials: { trial: number; params: Record<string, number>; value: number; status: string; dir: string }[] };
const trialsOf = (dir: string) => JSON.parse(readFileSync(join(dir, "trials.json"), "utf8")) as Trials;

describe("configs/**/space.yaml", () => {
  for (const folder of ["configs", "configs/ml100k"]) {
    it(`${folder}/space.yaml: every entry is a valid space whose paths and end values its config accepts`, () => {
      const spaces = parse(readFileSync(join(repoRoot, folder, "space.yaml"), "utf8")) as Record<string, unknown>;
      expect(Object.keys(spaces).length).toBeGreaterThanOrEqual(5);
      for (const [name, raw] of Object.entries(spaces)) {
        const space = searchSpaceSchema.parse(raw);
        for (const end of [0, 1]) {
          const sets = Object.entries(space).map(([k, p]) => `${k}=${JSON.stringify("choice" in p ? p.choice[end * (p.choice.length - 1)] : ("float" in p ? p.float : p.int)[end])}`);
          expect(() => loadConfig(join(repoRoot, folder, `${name}.yaml`), sets), name).not.toThrow();
        }
      }
    });
  }
});

describe.skipIf(!mirror)(`pnpm tune on ML-100k (skips when ${noMirrorReason})`, () => {
  it("scores every trial on the validation part of the validation seeds, keeps the best, writes it back with the config's own seeds; the same sampler seed proposes the same trials", () => {
    const out = join(tmp.dir, "tpe");
    const r = tune([...base, "--space", lambda, "--budget", "12", "--set", "tracking.enabled=false", "--out", out, "-q"]);
    expect(r.code, r.stderr).toBe(0);
    const { metric, trials } = trialsOf(out);
    expect(metric).toBe("ndcg@10");
    expect(trials).toHaveLength(12);
    for (const t of trials) {
      const results = JSON.parse(readFileSync(join(t.dir, "results.json"), "utf8"));
      expect(results.seeds).toEqual([101]); // validation seeds only
      expect(t.value).toBe(results.validMetrics["ndcg@10"].mean); // the validation figure, never the test one
      expect(t.params["model.lambda"]).toBeGreaterThanOrEqual(10);
      expect(t.params["model.lambda"]).toBeLessThanOrEqual(3000);
    }
    const best = trials.reduce((a, b) => (b.value > a.value ? b : a));
    expect(r.stdout).toContain(`best: trial ${best.trial}, valid ndcg@10 ${best.value.toFixed(4)}`);
    const chart = readFileSync(join(out, "trials.svg"), "utf8");
    expect(chart).toMatch(/^<svg/);
    expect(chart).toContain("model.lambda");
    expect((chart.match(/<path[^>]*aria-roledescription="point"/g) ?? []).length).toBe(12); // one point per trial
    const chosen = loadConfig(join(out, "best.yaml")).config;
    expect(chosen.model).toMatchObject({ family: "ease", lambda: best.params["model.lambda"] });
    expect(chosen.experiment.seeds).toEqual(loadConfig(join(repoRoot, "configs/ml100k/ease.yaml")).config.experiment.seeds);
    // TPE after its 10 random start-up trials: the first ten are the random sampler's, seeded.
    const again = join(tmp.dir, "tpe-again");
    expect(tune([...base, "--space", lambda, "--budget", "12", "--set", "tracking.enabled=false", "--out", again, "-q"]).code).toBe(0);
    expect(trialsOf(again).trials.map((t) => t.params)).toEqual(trials.map((t) => t.params));
  });

  it("grid: every point once; bad input stops before any trial with what is wrong", () => {
    // A space file with an entry per config: configs/space.yaml's "ease" entry serves configs/ml100k/ease.yaml too.
    const keyed = tune([...base, "--space", join(repoRoot, "configs/space.yaml"), "--budget", "1", "--sampler", "random", "--set", "tracking.enabled=false", "--out", join(tmp.dir, "keyed"), "-q"]);
    expect(keyed.code, keyed.stderr).toBe(0);
    expect(Object.keys(trialsOf(join(tmp.dir, "keyed")).trials[0].params)).toEqual(["model.lambda"]);
    const out = join(tmp.dir, "grid");
    const r = tune([...base, "--space", "{model.lambda: {choice: [50, 500]}}", "--sampler", "grid", "--set", "tracking.enabled=false", "--out", out, "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(trialsOf(out).trials.map((t) => t.params["model.lambda"])).toEqual([50, 500]);
    const cases: [string[], RegExp][] = [
      [["configs/ml100k/ease.yaml", "--space", lambda, "--set", "tracking.enabled=false"], /random split has no validation part, and trials are scored on validation only/],
      [[...base, "--space", "{model.lambda: {float: [0, 10], log: true}}"], /--space \(inline\): model\.lambda: a log scale needs lo > 0, found 0/],
      [[...base, "--space", "{model.nope: {int: [1, 5]}}", "--set", "tracking.enabled=false", "--out", join(tmp.dir, "bad")], /model\.nope/],
      [[...base, "--space", lambda, "--budget", "soon"], /expected a number of trials \(20\) or a time \(30m, 2h\)/],
      [[...base, "--space", lambda, "--sampler", "grid"], /grid search needs a list of values for every parameter; model\.lambda is a range/],
      [["configs/ml100k/popularity.yaml", "--space", join(repoRoot, "configs/space.yaml")], /the file has no entry for popularity \(entries: ease, bpr/],
    ];
    for (const [args, message] of cases) {
      const bad = tune(args);
      expect(bad.code, bad.stdout).not.toBe(0);
      expect(bad.stderr).toMatch(message);
      expect(bad.stderr).not.toContain("This is a bug");
    }
    expect(existsSync(join(tmp.dir, "bad", "trial-001", "results.json"))).toBe(false);
  });

  it.skipIf(!mlflowBin())(`each trial is an MLflow run nested under one tuning run, which carries the best trial's values (skips when ${noMlflowReason})`, async () => {
    const server = process.env.MLE_TEST_MLFLOW_URI ? { uri: process.env.MLE_TEST_MLFLOW_URI, stop: async () => undefined } : await startMlflowServer(join(tmp.dir, "mlflow"));
    try {
      const out = join(tmp.dir, "tracked");
      const r = tune([...base, "--space", lambda, "--budget", "3", "--sampler", "random", "--set", "tracking.experiment=tune-e2e", "--out", out, "-q"], { MLFLOW_TRACKING_URI: server.uri });
      expect(r.code, r.stderr).toBe(0);
      const tuneRunId = /tuning run ([0-9a-f]{32})/.exec(r.stdout)![1];
      const client = new MlflowRestClient(server.uri);
      const experiment = await client.experimentId("tune-e2e");
      const nested = await client.searchRuns([experiment], `tags.mlflow.parentRunId = '${tuneRunId}'`);
      expect(nested).toHaveLength(3);
      const tuning = await client.getRun(tuneRunId);
      const { trials } = trialsOf(out);
      const best = trials.reduce((a, b) => (b.value > a.value ? b : a));
      expect(tuning.data.params.find((p) => p.key === "best.model.lambda")?.value).toBe(String(best.params["model.lambda"]));
      expect(tuning.data.metrics.find((m) => m.key === "best_valid_ndcg_at_10")?.value).toBeCloseTo(best.value, 12);
      expect(tuning.info.status).toBe("FINISHED");
    } finally {
      await server.stop();
    }
  });

  it("an experiment file with tune: every config with an entry is tuned on validation seeds with the same budget, then run on the comparison's seeds with the chosen values; the report says so", () => {
    const dir = join(tmp.dir, "tuned-comparison");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "space.yaml"), "ease:\n  model.lambda: { float: [10, 3000], log: true }\n");
    const experiment = (tuneSeeds: string) => `name: tuned
seeds: [1]
configs: [configs/ml100k/ease.yaml, configs/ml100k/popularity.yaml]
set: ["split.train=0.675", "split.valid=0.075", "tracking.enabled=false"]
tune: { space: ${join(dir, "space.yaml")}, budget: 3, sampler: random, seeds: ${tuneSeeds} }
`;
    writeFileSync(join(dir, "tuned.yaml"), experiment("[101]"));
    const compare = (file: string) => spawnSync(tsx, [join(repoRoot, "packages/cli/src/bin/compare.ts"), file, "--runs", join(dir, "runs"), "--reports", join(dir, "reports"), "-q"], {
      cwd: repoRoot, encoding: "utf8", env: { ...process.env, MOVIELENS_MIRROR: mirror ?? "", MOVIELENS_CACHE: join(tmp.dir, "cache"), CI: "1" },
    });
    const r = compare(join(dir, "tuned.yaml"));
    expect(r.status, r.stderr).toBe(0);
    const { trials } = trialsOf(join(dir, "runs", "tuned", "tune", "ease"));
    expect(trials).toHaveLength(3);
    const best = trials.reduce((a, b) => (b.value > a.value ? b : a));
    const ran = parse(readFileSync(join(dir, "runs", "tuned", "ml100k-ease", "config.yaml"), "utf8")) as { model: { lambda: number }; experiment: { seeds: number[] } };
    expect(ran.model.lambda).toBe(best.params["model.lambda"]);
    expect(ran.experiment.seeds).toEqual([1]);
    expect(existsSync(join(dir, "runs", "tuned", "tune", "popularity"))).toBe(false);
    const md = readFileSync(join(dir, "reports", "tuned.md"), "utf8");
    expect(md).toContain("## Tuning");
    expect(md).toContain(`| ml100k-ease | \`model.lambda\` ${best.params["model.lambda"].toPrecision(4)} | ndcg@10 ${best.value.toFixed(4)} (trial ${best.trial}) | 3 (0, 0) |`);
    expect(md).toContain("| ml100k-popularity | as written (no entry in the space file) | | |");

    // What the report folder keeps is enough for --reuse elsewhere: with an empty runs folder (a fresh clone), nothing
    // is tuned or trained again and the report, paired tests included, is the same.
    expect(readFileSync(join(dir, "reports", "tuned", "tuning", "ease", "best.yaml"), "utf8")).toContain("lambda");
    const results = readFileSync(join(dir, "reports", "tuned", "results.json"), "utf8");
    const elsewhere = spawnSync(tsx, [join(repoRoot, "packages/cli/src/bin/compare.ts"), join(dir, "tuned.yaml"), "--reuse", "--runs", join(dir, "runs-elsewhere"), "--reports", join(dir, "reports"), "-q"], {
      cwd: repoRoot, encoding: "utf8", env: { ...process.env, MOVIELENS_MIRROR: mirror ?? "", MOVIELENS_CACHE: join(tmp.dir, "cache"), CI: "1" },
    });
    expect(elsewhere.status, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).toContain("(reused)");
    expect(existsSync(join(dir, "runs-elsewhere"))).toBe(false);
    expect(readFileSync(join(dir, "reports", "tuned", "results.json"), "utf8")).toBe(results);
    const tables = (s: string) => s.split("\n").filter((l) => l.startsWith("| ml100k-")).map((l) => l.replace(/\| [^|]*run [0-9a-f]+ \|$|\| (reused|not tracked) \|$/, ""));
    expect(tables(readFileSync(join(dir, "reports", "tuned.md"), "utf8"))).toEqual(tables(md));

    // tunedIn: another protocol runs the values that comparison chose, without tuning again; a comparison that has not
    // tuned a config is an error before anything trains.
    writeFileSync(join(dir, "reused-values.yaml"), `name: reused-values\nseeds: [2]\nconfigs: [configs/ml100k/ease.yaml, configs/ml100k/popularity.yaml]\nset: ["split.train=0.6", "split.test=0.4", "tracking.enabled=false"]\ntunedIn: ${join(dir, "tuned.yaml")}\n`);
    const reusedValues = compare(join(dir, "reused-values.yaml"));
    expect(reusedValues.status, reusedValues.stderr).toBe(0);
    expect(existsSync(join(dir, "runs", "reused-values", "tune"))).toBe(false);
    const ranReused = parse(readFileSync(join(dir, "runs", "reused-values", "ml100k-ease", "config.yaml"), "utf8")) as { model: { lambda: number } };
    expect(ranReused.model.lambda).toBe(best.params["model.lambda"]);
    expect(readFileSync(join(dir, "reports", "reused-values.md"), "utf8")).toContain(`the tuning of \`${join(dir, "tuned.yaml")}\` chose`);
    writeFileSync(join(dir, "untuned.yaml"), experiment("[101]").replace("name: tuned", "name: untuned"));
    writeFileSync(join(dir, "needs-untuned.yaml"), `name: needs-untuned\nseeds: [2]\nconfigs: [configs/ml100k/popularity.yaml, configs/ml100k/ease.yaml]\ntunedIn: ${join(dir, "untuned.yaml")}\n`);
    const missing = compare(join(dir, "needs-untuned.yaml"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("untuned has not tuned it");
    expect(existsSync(join(dir, "runs", "needs-untuned"))).toBe(false);

    writeFileSync(join(dir, "overlap.yaml"), experiment("[1]").replace("name: tuned", "name: overlap"));
    const overlap = compare(join(dir, "overlap.yaml"));
    expect(overlap.status).toBe(2);
    expect(overlap.stderr).toContain("tune.seeds");
    expect(overlap.stderr).toContain("validation seeds must differ from the comparison's seeds");
  });
});
