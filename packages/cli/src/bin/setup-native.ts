import { runCli } from "../cli-main.ts";
import { setupNativeCommand } from "../commands/setup-native.ts";

await runCli(async () => {
  await setupNativeCommand().name("pnpm setup-native").parseAsync(process.argv);
});
