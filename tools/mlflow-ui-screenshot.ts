// `pnpm tsx tools/mlflow-ui-screenshot.ts [out-dir]`: what a person sees of a tracked run in MLflow's own UI.
// Runs a short tracked experiment into a fresh ./mlruns file store, serves that store with the real
// `mlflow server`, opens the experiment and the parent and child run pages in headless Chromium (Debian's
// `chromium`, driven by playwright-core) and saves screenshots. The server is stopped on every outcome.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..");
const out = resolve(process.argv[2] ?? join(root, "tools", ".screenshots"));
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "mle-ui-"));
const store = join(work, "mlruns");
const mlflow = process.env.MLE_MLFLOW_BIN ?? "mlflow";

const exp = spawnSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "packages/cli/src/bin/exp.ts"), "configs/bpr.yaml", "--seeds", "1", "--set", "training.epochs=6", "--out", join(work, "run"), "-q"], {
  cwd: root, encoding: "utf8", env: { ...process.env, MLFLOW_TRACKING_URI: store },
});
if (exp.status !== 0) throw new Error(`pnpm exp failed:\n${exp.stderr}`);
const parentId = /parent run ([0-9a-f]{32})/.exec(exp.stdout)![1];
const expId = readdirSync(store).find((e) => readdirSync(join(store, e)).includes(parentId))!;
const childId = readdirSync(join(store, expId)).find((r) => {
  try {
    return readFileSync(join(store, expId, r, "tags", "mlflow.parentRunId"), "utf8") === parentId;
  } catch {
    return false;
  }
})!;

const port = await new Promise<number>((r) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => r(p));
  });
});
const server = spawn(mlflow, ["server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1", "--backend-store-uri", `file://${store}`], {
  detached: true, stdio: "ignore", env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: "true" },
});
const stop = () => {
  try {
    process.kill(-server.pid!, "SIGKILL");
  } catch {
    // gone
  }
};
process.on("exit", stop);
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // starting
    }
    if (i > 1500) throw new Error("mlflow server did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    for (const [name, url, text] of [
      ["experiment", `${base}/#/experiments/${expId}/runs`, "bpr-seed-1"],
      ["parent-run", `${base}/#/experiments/${expId}/runs/${parentId}`, "Description"],
      ["child-run", `${base}/#/experiments/${expId}/runs/${childId}`, "Description"],
      ["child-metrics", `${base}/#/experiments/${expId}/runs/${childId}/model-metrics`, "Model metrics"],
    ] as const) {
      await page.goto(url);
      await page.getByText(text).first().waitFor({ timeout: 60_000 });
      if (name === "child-metrics") await page.getByPlaceholder("Search metric charts").fill("_loss");
      await page.waitForTimeout(4000); // charts draw after their data arrives (the UI keeps polling, so there is no idle moment to wait for)
      await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
      console.log(`${name}: ${join(out, `${name}.png`)}`);
    }
  } finally {
    await browser.close();
  }
} finally {
  stop();
  rmSync(work, { recursive: true, force: true });
}
