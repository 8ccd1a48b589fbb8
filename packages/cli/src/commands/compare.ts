import { Command } from "commander";
import { setQuiet } from "@mle/core";
import { runComparison } from "../runner/compare.ts";
import { withExecutor, withQueueOptions, type QueueFlags } from "./queue-options.ts";

export function compareCommand(): Command {
  return withQueueOptions(new Command("compare")
    .description("run the configs of an experiment file on its seeds and write reports/<name>.md")
    .argument("<experiment>", "e.g. experiments/ci.yaml")
    .option("--runs <dir>", "where runs go", "runs")
    .option("--reports <dir>", "where reports go", "reports")
    .option("--reuse", "reuse finished runs whose config hash matches")
    .option("--only <configs>", "tune and train only these configs (file names without .yaml, or experiment names, comma-separated); the others are reused where kept and left out otherwise, and the report waits until none is left out")
    .option("-q, --quiet", "no progress output"))
    .action(async (file: string, o: QueueFlags & { runs: string; reports: string; reuse?: boolean; only?: string; quiet?: boolean }) => {
      if (o.quiet) setQuiet(true);
      await withExecutor("compare", o, async (executor) => {
        const only = o.only?.split(",").map((n) => n.trim()).filter(Boolean);
        const r = await runComparison(file, { runsDir: o.runs, reportsDir: o.reports, reuse: !!o.reuse, executor, only });
        const done = r.models.map((m) => `${m.name}: ${r.comparison.primary} ${m.results.metrics[r.comparison.primary].mean.toFixed(4)}${m.reused ? " (reused)" : ""}`);
        const files = r.reportFile ? `report: ${r.reportFile}\nresults: ${r.resultsFile}` : `report: not written, ${r.leftOut.length} config(s) not done yet (${r.leftOut.join(", ")}): train them with --only, or run again with --reuse`;
        process.stdout.write(`${[...done, files].join("\n")}\n`);
      });
    });
}
