import { runCli } from "../cli-main.ts";
import { queueCommand } from "../commands/queue.ts";

await runCli(async () => {
  await queueCommand().name("pnpm queue").parseAsync(process.argv);
});
