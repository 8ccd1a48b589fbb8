import { runCli } from "../cli-main.ts";
import { dataCommand } from "../commands/data.ts";

await runCli(async () => {
  await dataCommand().name("pnpm data").parseAsync(process.argv);
});
