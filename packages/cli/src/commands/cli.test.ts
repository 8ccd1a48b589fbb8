import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { noMirrorReason, repoRoot, tempDir, testMirror } from "@mle/core/testing";
import { FileStore, MlflowRestClient, RunRecorder } from "@mle/tracking";
import { mlflowBin, noMlflowReason, startMlflowServer, stopAllServers } from "@mle/tracking/testing";

const mirror = testMirror();
const tmp = tempDir();
afterAll(tmp.cleanup);
afterAll(stopAllServers);
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");

/** A loopback port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a CLI entry point as a user would, in the repo root. */
function cli(bin: "exp" | "data" | "compare" | "tracking" | "setup-native", args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(tsx, [join(repoRoot, "packages/cli/src/bin", `${bin}.ts`), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, MOVIELENS_MIRROR: mirror ?? "", MOVIELENS_CACHE: join(tmp.dir, "cache"), MLFLOW_TRACKING_URI: join(tmp.dir, "mlruns"), CI: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!mirror)(`pnpm data / pnpm exp on the real mirror (skips when ${noMirrorReason})`, () => {
  it("data info ml-100k: 943 users, 1,682 movies, 100,000 ratings", () => {
    const r = cli("data", ["info", "ml-100k"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/users\s+943\n/);
    expect(r.stdout).toMatch(/movies\s+1,682 /);
    expect(r.stdout).toMatch(/ratings\s+100,000 /);
  });

  it("data info ml-latest-small --json: 610 users, 9,742 movies, 100,836 ratings", () => {
    const info = JSON.parse(cli("data", ["info", "ml-latest-small", "--json", "-q"]).stdout);
    expect([info.users, info.movies, info.ratings, info.tagApplications]).toEqual([610, 9742, 100_836, 3683]);
  });

  it("exp --dry-run prints the data/split summary and writes identical split files for the same seed", () => {
    const outs = [join(tmp.dir, "run-a"), join(tmp.dir, "run-b")];
    const runs = outs.map((out) => cli("exp", ["configs/mf.yaml", "--dry-run", "--seeds", "1", "--out", out, "--json"]));
    for (const r of runs) expect(r.code).toBe(0);
    expect(runs[0].stdout).toContain("ml-latest-small: 100,836 ratings, 610 users, 9,742 movies");
    expect(runs[0].stdout).toMatch(/test target\s+10,084/);
    expect(runs[0].stdout).toContain("why this split: A global temporal cut");
    const summary = JSON.parse(runs[0].stdout.trim().split("\n").pop()!);
    expect(summary.seeds[0].manifest.counts.train.rows + summary.seeds[0].manifest.counts.valid.target.rows + summary.seeds[0].manifest.counts.test.target.rows).toBe(100_836);
    const manifest = (out: string) => readFileSync(join(out, "seed-1", "split-manifest.json"), "utf8");
    expect(manifest(outs[0])).toBe(manifest(outs[1]));
  });
});

describe.skipIf(!mirror)(`pnpm exp fits, evaluates and reports (skips when ${noMirrorReason})`, () => {
  it("popularity on ML-100k: a metrics table, results.json, and the same numbers on a second run", () => {
    const outs = [join(tmp.dir, "pop-a"), join(tmp.dir, "pop-b")];
    const runs = outs.map((out) => cli("exp", ["configs/ml100k/popularity.yaml", "--seeds", "1,2", "--out", out, "--json", "-q"]));
    for (const r of runs) expect(r.code).toBe(0);
    expect(runs[0].stdout).toMatch(/test metrics of popularity \(2 seeds: 1, 2; mean ± 95% CI half-width over seeds; 943\/943 users evaluated/);
    expect(runs[0].stdout).toMatch(/\nndcg\s+0\.\d{4} ± 0\.\d{4}\n/);
    const json = JSON.parse(runs[0].stdout.trim().split("\n").pop()!);
    const saved = JSON.parse(readFileSync(join(outs[0], "results.json"), "utf8"));
    expect(saved).toEqual(json);
    for (const name of ["recall@10", "recall_liang@10", "precision@10", "ndcg@10", "map@10", "mrr@10", "hit_rate@10", "coverage@10", "novelty@10", "mrr"]) {
      expect(json.metrics[name]).toMatchObject({ n: 2, perSeed: [expect.any(Number), expect.any(Number)] });
      expect(json.metrics[name].ci95[0]).toBeLessThanOrEqual(json.metrics[name].mean);
    }
    const second = JSON.parse(runs[1].stdout.trim().split("\n").pop()!);
    expect(second.metrics).toEqual(json.metrics); // same config, seeds and backend: identical metrics
    expect(existsSync(join(outs[0], "seed-2", "per-user.bin"))).toBe(true);
  });

  it.skipIf(!mlflowBin())(`with MLFLOW_TRACKING_URI, a parent run and one child per seed are visible through MLflow's REST API (skips when ${noMlflowReason})`, async () => {
    const server = process.env.MLE_TEST_MLFLOW_URI ? { uri: process.env.MLE_TEST_MLFLOW_URI, stop: async () => undefined } : await startMlflowServer(join(tmp.dir, "mlflow"));
    try {
      const r = cli("exp", ["configs/ml100k/popularity.yaml", "--seeds", "1,2", "--out", join(tmp.dir, "tracked"), "-q", "--set", "tracking.experiment=cli-e2e"], { MLFLOW_TRACKING_URI: server.uri });
      expect(r.code).toBe(0);
      const parentId = /parent run ([0-9a-f]{32})/.exec(r.stdout)![1];
      const client = new MlflowRestClient(server.uri);
      const parent = await client.getRun(parentId);
      expect(parent.info.status).toBe("FINISHED");
      const tag = (k: string) => parent.data.tags.find((t) => t.key === k)?.value;
      expect(tag("mle.dataChecksum")).toMatch(/^[0-9a-f]{64}$/);
      expect(tag("mlflow.source.git.commit")).toMatch(/^([0-9a-f]{40}|unknown)$/);
      expect(parent.data.params.find((p) => p.key === "model.family")?.value).toBe("popularity");
      expect(parent.data.metrics.map((m) => m.key)).toEqual(expect.arrayContaining(["ndcg_at_10", "ndcg_at_10_std", "ndcg_at_10_ci95_lo", "ndcg_at_10_ci95_hi"]));
      expect(await client.listArtifacts(parentId)).toEqual(expect.arrayContaining(["results.json", "config.yaml", "report.md"]));
      const children = await client.searchRuns([await client.experimentId("cli-e2e")], `tags.mlflow.parentRunId = '${parentId}'`);
      expect(children.map((c) => c.data.tags.find((t) => t.key === "mle.seed")?.value).sort()).toEqual(["1", "2"]);
      expect(await client.listArtifacts(children[0].info.run_id)).toEqual(expect.arrayContaining(["split-manifest.json", "per-user.bin", "item-vectors.f32", "vectors.json"]));
    } finally {
      await server.stop();
    }
  });

  it("training.earlyStopping.users: each epoch's check ranks a fixed sample of validation users; the same model otherwise", () => {
    const run = (name: string, users?: number) => {
      const out = join(tmp.dir, name);
      const set = ["split.train=0.675", "split.valid=0.075", "training.epochs=2", "model.factors=16", `training.earlyStopping={patience: 5${users ? `, users: ${users}` : ""}}`];
      const r = cli("exp", ["configs/ml100k/bpr.yaml", "--seeds", "1", "--out", out, "-q", ...set.flatMap((s) => ["--set", s])]);
      expect(r.code, r.stderr).toBe(0);
      const m = JSON.parse(readFileSync(join(out, "seed-1", "metrics.json"), "utf8")) as { training: { curve: { loss: number; valid: number }[] } };
      return { curve: m.training.curve, report: readFileSync(join(out, "report.md"), "utf8") };
    };
    const all = run("es-all");
    const everyone = run("es-everyone", 100_000); // more than there are: all of them
    const sample = run("es-sample", 50);
    expect(everyone.curve).toEqual(all.curve);
    expect(sample.curve[0].loss).toBe(all.curve[0].loss); // the sample draws from a stream of its own: the model is the same
    expect(sample.curve[0].valid).not.toBe(all.curve[0].valid);
    expect(sample.report).toContain("on a fixed sample of at most 50 validation users");
    expect(all.report).not.toContain("fixed sample");
  });

  it("EASE beats popularity on the same ML-100k split", () => {
    const ndcg = (config: string) => {
      const r = cli("exp", [config, "--seeds", "1", "--out", join(tmp.dir, config.replace(/\W/g, "-")), "--json", "-q"]);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout.trim().split("\n").pop()!).metrics["ndcg@10"].mean as number;
    };
    expect(ndcg("configs/ml100k/ease.yaml")).toBeGreaterThan(ndcg("configs/ml100k/popularity.yaml") + 0.15);
  });
});

describe("bad input stops before any work", () => {
  it("an invalid config exits 2, names the key, and writes nothing", () => {
    const out = join(tmp.dir, "never");
    const r = cli("exp", ["configs/mf.yaml", "--dry-run", "--out", out, "--set", "model.factors=many", "--set", "data.dataset=ml-5k"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("model.factors");
    expect(r.stderr).toContain('expected a number, found the string "many"');
    expect(r.stderr).toContain("data.dataset");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
  });

  it("an unknown dataset for `data info` exits 1 with the known names", () => {
    const r = cli("data", ["info", "ml-5k"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: unknown dataset "ml-5k"; known: ml-latest, /);
  });

  it("every error a user can cause is one message and a hint, never a stack trace", async () => {
    const noStack = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/\n\s+at |TrackingUnavailableError|Error:/);
    const folder = cli("exp", ["configs"]);
    expect([folder.code, folder.stderr]).toEqual([1, "error: configs is a folder, not a config file\nhint: pass a YAML file, e.g. configs/mf.yaml\n"]);
    writeFileSync(join(tmp.dir, "empty.yaml"), "\n");
    const empty = cli("exp", [join(tmp.dir, "empty.yaml")]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("is empty");
    noStack(empty);
    // The command `pnpm exp` prints after a fallback, run while that server is still down.
    const store = join(tmp.dir, "pending-mlruns");
    const down = `http://127.0.0.1:${await closedPort()}`;
    const rec = new RunRecorder(new MlflowRestClient(down, { attempts: 1 }), new FileStore(store));
    await rec.end(await rec.startRun("sync-me", "r", []), "FINISHED");
    const sync = cli("tracking", ["sync", "--from", store, "--to", down], { MLE_TRACKING_ATTEMPTS: "2" });
    expect(sync.code).toBe(1);
    expect(sync.stderr.startsWith(`error: MLflow at ${down} did not answer`)).toBe(true);
    expect(sync.stderr).toMatch(/after 2 attempts \(ECONNREFUSED\)\nhint: is the MLflow server running/);
    noStack(sync);
    const nothing = cli("tracking", ["sync", "--from", join(tmp.dir, "no-store"), "--to", "http://127.0.0.1:9"]);
    expect([nothing.code, nothing.stdout]).toEqual([0, `nothing to sync: ${join(tmp.dir, "no-store")} does not exist\n`]);
    writeFileSync(join(tmp.dir, "a-file"), "");
    const underFile = cli("exp", ["configs/popularity.yaml", "--out", join(tmp.dir, "a-file", "run"), "-q"]);
    expect(underFile.code).toBe(1);
    expect(underFile.stderr).toContain(`${join(tmp.dir, "a-file", "run")}`);
    expect(underFile.stderr).toContain("is not a folder (ENOTDIR");
    noStack(underFile);
  });

  it("experiment files get key path, line, expected and found, like configs", () => {
    const file = join(tmp.dir, "bad-experiment.yaml");
    writeFileSync(file, "name: bad name\nseeds: [1, two]\nconfigs: []\nprimry: ndcg@10\n");
    const r = cli("compare", [file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("name (line 1): expected a value of the right format, found the string \"bad name\"");
    expect(r.stderr).toContain("seeds.1 (line 2): expected a number, found the string \"two\"");
    expect(r.stderr).toContain("configs (line 3): expected a list with length ≥ 1, found a list of 0 items");
    expect(r.stderr).toContain("primry (line 4): expected one of the known keys name, description, seeds, configs, set, primary");
  });

  it.skipIf(!mirror)("compare --reuse of a runs folder (nothing kept) cites the MLflow run it reuses, from the folder's tracking.json", () => {
    const file = join(tmp.dir, "cite.yaml");
    writeFileSync(file, "name: cite\nseeds: [1]\nconfigs: [configs/ml100k/popularity.yaml]\n");
    const args = [file, "--runs", join(tmp.dir, "cite-runs"), "--reports", join(tmp.dir, "cite-reports"), "-q"];
    const citation = () => readFileSync(join(tmp.dir, "cite-reports", "cite.md"), "utf8").split("\n").find((l) => l.startsWith("| ml100k-popularity"))!.split("|").at(-2)!.trim();
    const first = cli("compare", args);
    expect(first.code, first.stderr).toBe(0);
    const cited = citation();
    expect(cited).toMatch(/ run [0-9a-f]{32}$/);
    rmSync(join(tmp.dir, "cite-reports", "cite", "kept"), { recursive: true });
    const again = cli("compare", [...args, "--reuse"]);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(tmp.dir, "cite-reports", "cite", "kept", "ml100k-popularity.json"))).toBe(true);
    expect(citation()).toBe(cited);
  });

  it.skipIf(!mirror)("compare --only tunes and trains only the named configs; the others wait, and the report is written once none is left out", () => {
    const file = join(tmp.dir, "only.yaml");
    writeFileSync(file, [
      "name: only", "seeds: [1]", "configs: [configs/ml100k/popularity.yaml, configs/ml100k/ease.yaml]",
      "tune: { space: configs/ml100k/space.yaml, budget: 2, sampler: random, seeds: [101], set: [split.train=0.675, split.valid=0.075] }", "",
    ].join("\n"));
    const reports = join(tmp.dir, "only-reports");
    const args = [file, "--runs", join(tmp.dir, "only-runs"), "--reports", reports, "-q"];
    const unknown = cli("compare", [...args, "--only", "ease,bogus"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(`--only: bogus is not a config of ${file}`);
    expect(unknown.stderr).toContain("its configs: popularity, ease");
    expect(existsSync(join(reports, "only"))).toBe(false);
    const first = cli("compare", [...args, "--only", "ml100k-popularity"]); // an experiment name works as well as a file name
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^ml100k-popularity: ndcg@10 0\.\d{4}\n/);
    expect(first.stdout).toContain("report: not written, 1 config(s) not done yet (ease)");
    expect(existsSync(join(reports, "only.md"))).toBe(false);
    expect(existsSync(join(reports, "only", "tuning", "ease"))).toBe(false); // left out: not even tuned
    // A comparison that takes only.yaml's values can run what only.yaml has tuned; EASE waits for its tuning.
    const follower = join(tmp.dir, "only-follower.yaml");
    writeFileSync(follower, ["name: only-follower", "seeds: [2]", "configs: [configs/ml100k/popularity.yaml, configs/ml100k/ease.yaml]", `tunedIn: ${file}`, ""].join("\n"));
    const followerArgs = [follower, "--runs", join(tmp.dir, "only-runs"), "--reports", reports, "-q"];
    const early = cli("compare", [...followerArgs, "--only", "popularity"]);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toContain("report: not written, 1 config(s) not done yet (ease)");
    const untuned = cli("compare", [...followerArgs, "--only", "ease"]);
    expect(untuned.code).not.toBe(0);
    expect(untuned.stderr).toContain("only has not tuned it");
    const second = cli("compare", [...args, "--only", "ease"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^ml100k-popularity: ndcg@10 0\.\d{4} \(reused\)\nml100k-ease: ndcg@10 0\.\d{4}\n/);
    expect(second.stdout).toContain(`report: ${join(reports, "only.md")}`);
    expect(readFileSync(join(reports, "only.md"), "utf8")).toContain("| ml100k-ease | `model.lambda`");
  });

  it("--seeds with a non-number is a config error naming experiment.seeds", () => {
    const r = cli("exp", ["configs/popularity.yaml", "--seeds", "1,x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("experiment.seeds.1");
  });
});
