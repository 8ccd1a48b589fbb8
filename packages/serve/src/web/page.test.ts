import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setQuiet } from "@mle/core";
import { noMirrorReason, tempDir, testMirror } from "@mle/core/testing";
import { initBackend } from "@mle/models";
import { ModelRegistry } from "../http/registry.ts";
import { buildServer } from "../http/server.ts";
import { trainedModelDir } from "../test-model.ts";

const mirror = testMirror();
/** Debian's chromium (`.ci/run` installs it), or $CHROMIUM. */
const chromiumBin = [process.env.CHROMIUM, "/usr/bin/chromium"].find((p) => p && existsSync(p));
const tmp = tempDir();
let app: FastifyInstance | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await app?.close();
  tmp.cleanup();
});

describe.skipIf(!mirror || !chromiumBin)(`the web page in a real browser (skips when ${noMirrorReason}, or no chromium: apt-get install chromium)`, () => {
  let url: string;
  beforeAll(async () => {
    setQuiet(true);
    await initBackend();
    const models = new ModelRegistry({ mirror: mirror!, cacheDir: join(tmp.dir, "cache") });
    await models.load("ials-32", await trainedModelDir(tmp.dir, mirror!, 32, "a"));
    await models.load("ials-16", await trainedModelDir(tmp.dir, mirror!, 16, "b"));
    app = await buildServer(models);
    url = await app.listen({ port: 0, host: "127.0.0.1" });
    // The maps' UMAP runs once per model; on a busy 2-core machine it can take longer than a browser wait, so it
    // runs here, through the route the page calls, and the page then reads the saved maps.
    for (const model of ["ials-32", "ials-16"]) {
      const res = await app.inject({ url: `/map?model=${model}` });
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as { points: unknown[] }).points.length).toBeGreaterThan(1000);
    }
    browser = await chromium.launch({ executablePath: chromiumBin, args: ["--no-sandbox"] });
  });

  it("search → neighbours in each model → rate → live recommendations, with the map drawn and the user placed on it", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(180_000); // waits are for events; the limit only guards against a hang on a loaded machine
    const failed: string[] = [];
    page.on("pageerror", (e) => failed.push(e.message));
    await page.goto(url);
    await page.waitForSelector("#map svg circle");
    expect(await page.locator("#model option").count()).toBe(2);

    await page.fill("#q", "toy story");
    await page.locator('#results li[data-movie="1"]').waitFor();
    await page.locator('#results li[data-movie="1"] a').click();
    await page.locator("#similar > div:nth-child(2) li").first().waitFor();
    expect(await page.locator("#similar > div").count()).toBe(2); // side by side, one column per model
    expect(await page.locator("#similar > div:first-child li").count()).toBe(8);

    await page.locator('#results li[data-movie="1"] button[data-rate="5"]').click();
    await page.fill("#q", "finding nemo");
    await page.locator('#results li[data-movie="6377"]').waitFor();
    await page.locator('#results li[data-movie="6377"] button[data-rate="5"]').click();
    await page.fill("#q", "monsters, inc");
    await page.locator('#results li[data-movie="4886"]').waitFor();
    await page.locator('#results li[data-movie="4886"] button[data-rate="4"]').click();
    expect(await page.locator("#rated li").count()).toBe(3);

    await page.click("#recommend");
    await page.locator("#recommendations li").nth(9).waitFor();
    const recs = await page.locator("#recommendations li").evaluateAll((lis) => lis.map((li) => Number(li.getAttribute("data-movie"))));
    expect(recs).toHaveLength(10);
    expect(recs.filter((m) => [1, 6377, 4886].includes(m))).toEqual([]);
    expect(await page.locator("#recs-model").textContent()).toContain("3 ratings folded in");
    await page.locator("#map svg #you").waitFor();
    expect(await page.locator("#map svg circle").count()).toBeGreaterThan(1000);

    const shot = await page.screenshot({ fullPage: true });
    writeFileSync(join(tmp.dir, "page.png"), shot);
    if (process.env.MLE_SCREENSHOT) writeFileSync(process.env.MLE_SCREENSHOT, shot);
    // A page with content, not a blank one: a PNG of real size whose pixels are not all one colour.
    expect(shot.subarray(1, 4).toString()).toBe("PNG");
    expect(shot.length).toBeGreaterThan(50_000);
    // Distinct colours in a sample of the screenshot's pixels, decoded by the browser itself.
    const colours = (await page.evaluate(`(async () => {
      const img = new Image();
      img.src = "data:image/png;base64,${shot.toString("base64")}";
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext("2d");
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < px.length; i += 4 * 97) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      return seen.size;
    })()`)) as number;
    expect(colours).toBeGreaterThan(20);
    expect(failed).toEqual([]);
  });
});
