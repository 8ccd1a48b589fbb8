// Child task for `pnpm bench serve`: the HTTP service over the given model folders, on a loopback port; prints
// {"port": …} once listening and serves until it is killed (the bench drives it with autocannon).
import { setQuiet } from "@mle/core";
import { initBackend } from "@mle/models";
import { ModelRegistry, buildServer } from "@mle/serve";

setQuiet(true);
const { models: specs, mirror } = JSON.parse(process.argv[2]) as { models: [string, string][]; mirror: string };
await initBackend();
const models = new ModelRegistry({ mirror });
for (const [name, path] of specs) await models.load(name, path);
const app = await buildServer(models, { bodyLimit: 4 << 20 });
await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ port: (app.server.address() as { port: number }).port })}\n`);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
