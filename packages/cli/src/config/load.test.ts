import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "@mle/core";
import { repoRoot, tempDir } from "@mle/core/testing";
import { configEntry, loadComparison } from "./experiment-file.ts";
import { loadConfig } from "./load.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);
let files = 0;
const yaml = (text: string) => {
  const p = join(tmp.dir, `c${++files}.yaml`);
  writeFileSync(p, text);
  return p;
};
const minimal = `experiment: { name: t }
data: { dataset: ml-100k }
split: { kind: random }
model: { family: mf }
`;
const issues = (file: string, overrides: string[] = []) => {
  try {
    loadConfig(file, overrides);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error("expected a ConfigError");
};

describe("loadConfig", () => {
  it("fills defaults into a minimal config", () => {
    const { config } = loadConfig(yaml(minimal));
    expect(config.experiment.seeds).toEqual([1]);
    expect(config.split).toEqual({ kind: "random", train: 0.8, valid: 0.1, test: 0.1, byUser: true });
    expect(config.evaluation.k).toEqual([10, 20, 50, 100]);
    expect(config.data.feedback).toEqual({ kind: "explicit" });
  });

  it("names the path, line, what was expected and what was found", () => {
    const found = issues(yaml(`${minimal.replace("model: { family: mf }", "model:\n  family: mf\n  factors: sixty")}`));
    expect(found).toEqual([{ path: "model.factors", expected: "a number", found: 'the string "sixty"', line: 6 }]);
  });

  it("rejects unknown keys and lists the known ones", () => {
    const [i] = issues(yaml(minimal.replace("dataset: ml-100k", "dataset: ml-100k, mirorr: /x")));
    expect(i.path).toBe("data.mirorr");
    expect(i.expected).toMatch(/^one of the known keys dataset, mirror, cacheDir, feedback, kCore, duplicates$/);
    expect(i.found).toBe('an unknown key (the string "/x")');
  });

  it("reports every problem at once, including unknown datasets and split kinds", () => {
    const found = issues(yaml("experiment: { name: 'bad name', seeds: [1, x] }\ndata: { dataset: ml-5k }\nsplit: { kind: tempral }\nmodel: { family: mf }\n"));
    expect(found.map((i) => i.path)).toEqual(["experiment.name", "experiment.seeds.1", "data.dataset", "split.kind"]);
    expect(found[2].expected).toMatch(/^one of "ml-latest", "ml-latest-small", "ml-100k"/);
    expect(found[3].expected).toBe('one of "temporal", "leave-last", "user-holdout", "random", "folds"');
  });

  it("each model accepts only its own keys: an MF variant's, and the training knobs it reads", () => {
    const [solver] = issues(yaml(minimal.replace("model: { family: mf }", "model: { family: mf, variant: biased, solver: cg }")));
    expect(solver).toMatchObject({ path: "model.solver", found: 'an unknown key (the string "cg")', line: 4 });
    expect(solver.expected).toBe("one of the known keys family, factors, l2, initStd, variant, foldInL2");
    const [lr] = issues(yaml(`${minimal.replace("model: { family: mf }", "model: { family: mf, variant: ials }")}training: { epochs: 5, learningRate: 0.01 }\n`));
    expect(lr).toMatchObject({ path: "training.learningRate", expected: "one of the known keys epochs, threads, earlyStopping", line: 5 });
    const [pop] = issues(yaml(`${minimal.replace("model: { family: mf }", "model: { family: popularity }")}training: { epochs: 5 }\n`));
    expect(pop).toMatchObject({ path: "training.epochs", expected: "no such key" });
    const { config } = loadConfig(yaml(`${minimal}training: { epochs: 5 }\n`));
    expect(config.training).toEqual({ epochs: 5, learningRate: 0.001, optimizer: "adam", batchSize: 1024, threads: 1, earlyStopping: { patience: 3 } });
    expect(config.model).toEqual({ family: "mf", variant: "biased", factors: 64, l2: 0.01, initStd: 0.1 });
  });

  it("an unknown model family lists the registered ones", () => {
    const [i] = issues(yaml(minimal.replace("model: { family: mf }", "model: { family: vae }")));
    expect(i).toMatchObject({ path: "model.family", found: 'the string "vae"' });
    expect(i.expected).toMatch(/^one of "popularity", "random", "mean", "baseline", "ease", "mf"/);
  });

  it("checks cross-field rules of a split", () => {
    const [i] = issues(yaml(minimal.replace("{ kind: random }", "{ kind: random, train: 0.5 }")));
    expect(i).toMatchObject({ path: "split.test", expected: "train 0.5 + valid 0.1 + test 0.1 = 0.7; they must sum to 1" });
    const [t] = issues(yaml(minimal.replace("{ kind: random }", "{ kind: temporal, valid: 0.6, test: 0.5 }")));
    expect(t.expected).toBe("valid 0.6 + test 0.5 = 1.1; they must leave something to train on (sum below 1)");
  });

  it("an early-stopping metric the evaluation does not compute is caught at load time", () => {
    const [i] = issues(yaml(`${minimal}training: { earlyStopping: { metric: ndcg@10 } }\nevaluation: { k: [20] }\n`));
    expect(i).toMatchObject({ path: "training.earlyStopping.metric", found: 'the string "ndcg@10"' });
    expect(i.expected).toContain("e.g. ndcg@20");
    const [j] = issues(yaml(`${minimal}training: { earlyStopping: { metric: rmse } }\n`.replace("dataset: ml-100k", "dataset: ml-100k, feedback: { kind: implicit, minRating: 4 }")));
    expect(j).toMatchObject({ path: "training.earlyStopping.metric", found: 'the string "rmse"' });
    expect(j.expected).toContain("needs data.feedback.kind: explicit");
  });

  it("reports YAML syntax errors with their line", () => {
    const [i] = issues(yaml("experiment:\n  name: t\n  seeds: [1, 2\ndata: {}\n"));
    expect(i.path).toBe("(YAML syntax)");
    expect(i.line).toBeGreaterThan(0);
  });

  it("a config that is not a mapping", () => {
    expect(issues(yaml("- 1\n- 2\n"))[0]).toMatchObject({ path: "", found: "a list of 2 items" });
  });

  it("--set overrides parse values as YAML and are validated like the file", () => {
    const { config } = loadConfig(yaml(minimal), ["model.factors=128", "experiment.seeds=[3,4]", "data.feedback={kind: implicit, minRating: 4}"]);
    expect(config.model.family === "mf" && config.model.factors).toBe(128);
    expect(config.experiment.seeds).toEqual([3, 4]);
    expect(config.data.feedback).toEqual({ kind: "implicit", minRating: 4 });
    expect(issues(yaml(minimal), ["model.factors=-3"])[0]).toMatchObject({ path: "model.factors", expected: "a number ≥ 1", found: "the number -3" });
    expect(issues(yaml(minimal), ["nonsense"])[0]).toMatchObject({ path: "--set", expected: "key.path=value" });
  });

  it("a missing file is a user error", () => {
    expect(() => loadConfig(join(tmp.dir, "none.yaml"))).toThrow(/does not exist/);
  });
});

describe("every config shipped in configs/ validates", () => {
  // space.yaml files are search spaces for pnpm tune, checked against their configs in commands/tune.test.ts.
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith(".yaml") && f !== "space.yaml" ? [join(dir, f)] : []));
  for (const file of walk(join(repoRoot, "configs"))) {
    it(relative(repoRoot, file), () => {
      expect(() => loadConfig(file)).not.toThrow();
    });
  }
});

describe("every experiment file in experiments/ validates, with each config under its overrides", () => {
  for (const f of readdirSync(join(repoRoot, "experiments")).filter((x) => x.endsWith(".yaml"))) {
    it(`experiments/${f}`, () => {
      const c = loadComparison(join(repoRoot, "experiments", f));
      for (const e of c.configs.map(configEntry)) expect(() => loadConfig(join(repoRoot, e.file), [...c.set, ...e.set])).not.toThrow();
    });
  }
});
