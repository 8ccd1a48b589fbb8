import { runCli } from "../cli-main.ts";
import { similarCommand } from "../commands/recommend.ts";

await runCli(async () => {
  await similarCommand().name("pnpm similar").parseAsync(process.argv);
});
