import { existsSync } from "node:fs";
import { Command } from "commander";
import { UserError } from "@mle/core";
import { FileStore, MlflowRestClient, syncPending } from "@mle/tracking";

export function trackingCommand(): Command {
  const cmd = new Command("tracking").description("MLflow tracking utilities");
  cmd.command("sync")
    .description("send runs finished locally while the MLflow server was down (tag mle.pendingSync) to the server")
    .option("--from <dir>", "local store", process.env.MLE_FALLBACK_STORE ?? "mlruns")
    .option("--to <uri>", "MLflow server (default $MLFLOW_TRACKING_URI)")
    .action(async (o: { from: string; to?: string }) => {
      const to = o.to ?? process.env.MLFLOW_TRACKING_URI;
      if (!to || !/^https?:\/\//.test(to)) throw new UserError("no MLflow server to sync to", "pass --to http://host:port or set MLFLOW_TRACKING_URI");
      if (!existsSync(o.from)) return void process.stdout.write(`nothing to sync: ${o.from} does not exist\n`);
      const synced = await syncPending(new FileStore(o.from), new MlflowRestClient(to));
      process.stdout.write(synced.length ? `${synced.map((s) => `${s.local} → ${s.remote}`).join("\n")}\n${synced.length} run(s) sent to ${to}\n` : `nothing to sync in ${o.from}\n`);
    });
  cmd.command("register")
    .description("register a run's saved model as a new version of a registered model (then serve it as models:/<name>/<version>)")
    .requiredOption("--run <runId>", "a seed's child run (it holds model/)")
    .requiredOption("--name <name>", "the registered model's name")
    .option("--to <uri>", "MLflow server (default $MLFLOW_TRACKING_URI)")
    .action(async (o: { run: string; name: string; to?: string }) => {
      const to = o.to ?? process.env.MLFLOW_TRACKING_URI;
      if (!to || !/^https?:\/\//.test(to)) throw new UserError("no MLflow server to register with", "pass --to http://host:port or set MLFLOW_TRACKING_URI");
      const client = new MlflowRestClient(to);
      if (!(await client.listArtifacts(o.run)).includes("model/manifest.json")) throw new UserError(`MLflow run ${o.run} holds no model/ (register a seed's child run, not the parent)`);
      const version = await client.registerModelVersion(o.name, o.run);
      process.stdout.write(`registered models:/${o.name}/${version} (run ${o.run})\n`);
    });
  return cmd;
}
