import { runCli } from "../cli-main.ts";
import { recommendCommand } from "../commands/recommend.ts";

await runCli(async () => {
  await recommendCommand().name("pnpm recommend").parseAsync(process.argv);
});
