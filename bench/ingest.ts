import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { testMirror } from "@mle/core/testing";
import { benchDir, benchPython, runPython, runTask, type Measured } from "./lib/child.ts";
import { ML_LATEST_SHAPE, writeSyntheticMovies, writeSyntheticRatings } from "./lib/synthetic.ts";

/**
 * `pnpm bench ingest`: first ingest (parse + cache write) and cached reload of real releases from
 * the mirror and of a synthetic ratings.csv the size of the full ml-latest; then parsing that file
 * with our reader, pandas and polars in the same run.
 */
export async function benchIngest(): Promise<void> {
  const data = join(benchDir, ".data");
  const cache = join(data, "cache");
  const synthetic = join(data, "synthetic");
  const ratings = join(synthetic, "ml-latest", "ratings.csv");
  if (!existsSync(ratings)) {
    console.log(`writing a synthetic ml-latest ratings.csv (${ML_LATEST_SHAPE.rows.toLocaleString("en-US")} rows, seed 1) to ${ratings} ...`);
    mkdirSync(join(synthetic, "ml-latest"), { recursive: true });
    writeSyntheticRatings(ratings, ML_LATEST_SHAPE);
    writeSyntheticMovies(join(synthetic, "ml-latest", "movies.csv"), ML_LATEST_SHAPE);
  }
  const rows: string[][] = [];
  const line = (what: string, m: Measured, target = "") =>
    rows.push([what, m.seconds.toFixed(3), m.maxRssMiB.toFixed(0), target]);

  const mirror = testMirror();
  const sources: [string, string][] = mirror ? [["ml-latest-small", mirror], ["ml-100k", mirror]] : [];
  if (!mirror) console.log("no MovieLens mirror here: real releases skipped (set MOVIELENS_MIRROR)");
  sources.push(["ml-latest", synthetic]);
  for (const [name, from] of sources) {
    rmSync(cache, { recursive: true, force: true });
    const label = name === "ml-latest" ? `synthetic ml-latest (${(statSync(ratings).size / 2 ** 20).toFixed(0)} MiB)` : name;
    const first = runTask("load", [name, from, cache]);
    const again = runTask("load", [name, from, cache]);
    const full = name === "ml-latest";
    line(`${label}: first ingest`, first, full ? "≤ 15 s, ≤ 3072 MiB" : "");
    line(`${label}: cached reload`, again, full ? "≤ 1.5 s" : "");
    rows.push([`${label}: speed-up of reload`, `${(first.seconds / again.seconds).toFixed(1)}×`, "", "≥ 10×"]);
  }
  rmSync(cache, { recursive: true, force: true });

  const ours = runTask("parse", [ratings]);
  line("parse ratings.csv → typed columns: ours", ours);
  const py = benchPython();
  if (!py) {
    console.log("pandas/polars not found: pip install -r bench/requirements.txt (or set BENCH_PYTHON)");
  } else {
    for (const lib of ["pandas", "polars"]) {
      const m = runPython(py, "read_csv.py", [lib, ratings]);
      line(`parse ratings.csv: ${lib} ${m.version} read_csv`, m);
      rows.push([`ours / ${lib} (time ratio)`, (ours.seconds / m.seconds).toFixed(2), "", lib === "pandas" ? "< 1" : "≤ 1.5"]);
    }
  }
  const w = [Math.max(...rows.map((r) => r[0].length)), 10, 10, 20];
  const fmt = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join("  ");
  console.log(`\n${fmt(["ingest benchmark", "seconds", "peak MiB", "target"])}`);
  for (const r of rows) console.log(fmt(r));
}
