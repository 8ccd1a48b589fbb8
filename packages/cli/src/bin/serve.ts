import { runCli } from "../cli-main.ts";
import { serveCommand } from "../commands/serve.ts";

await runCli(async () => {
  await serveCommand().name("pnpm serve").parseAsync(process.argv);
});
