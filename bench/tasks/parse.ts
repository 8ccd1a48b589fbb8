// Child task: parse ratings.csv into typed columns only (what pandas/polars read_csv do).
import { readRatings } from "@mle/data";
import { report } from "../lib/child.ts";

const t = performance.now();
const r = await readRatings(process.argv[2], "csv");
report((performance.now() - t) / 1000, { rows: r.rows });
