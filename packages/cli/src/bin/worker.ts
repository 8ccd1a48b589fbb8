import { runCli } from "../cli-main.ts";
import { workerCommand } from "../commands/worker.ts";

await runCli(async () => {
  await workerCommand().name("pnpm worker").parseAsync(process.argv);
});
