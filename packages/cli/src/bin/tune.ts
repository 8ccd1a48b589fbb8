import { runCli } from "../cli-main.ts";
import { tuneCommand } from "../commands/tune.ts";

await runCli(async () => {
  await tuneCommand().name("pnpm tune").parseAsync(process.argv);
});
