import { runCli } from "../cli-main.ts";
import { expCommand } from "../commands/exp.ts";

await runCli(async () => {
  await expCommand().name("pnpm exp").parseAsync(process.argv);
});
