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
    .option("-q, --quiet", "no progress output"))
    .action(async (file: string, o: QueueFlags & { runs: string; reports: string; reuse?: boolean; quiet?: boolean }) => {
      if (o.quiet) setQuiet(true);
      await withExecutor("compare", o, async (executor) => {
        const r = await runComparison(file, { runsDir: o.runs, reportsDir: o.reports, reuse: !!o.reuse, executor });
        process.stdout.write(`${r.models.map((m) => `${m.name}: ${r.comparison.primary} ${m.results.metrics[r.comparison.primary].mean.toFixed(4)}${m.reused ? " (reused)" : ""}`).join("\n")}\nreport: ${r.reportFile}\nresults: ${r.resultsFile}\n`);
      });
    });
}
