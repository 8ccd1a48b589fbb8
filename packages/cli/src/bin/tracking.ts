import { runCli } from "../cli-main.ts";
import { trackingCommand } from "../commands/tracking.ts";

await runCli(async () => {
  await trackingCommand().name("pnpm tracking").parseAsync(process.argv);
});
