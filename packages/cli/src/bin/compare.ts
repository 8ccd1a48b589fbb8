import { runCli } from "../cli-main.ts";
import { compareCommand } from "../commands/compare.ts";

await runCli(async () => {
  await compareCommand().name("pnpm compare").parseAsync(process.argv);
});
