import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "@mle/core/testing";

const here = fileURLToPath(new URL("./quiet-load.ts", import.meta.url));
const tmp = tempDir();
afterAll(tmp.cleanup);

/** Runs `body` in a child whose stderr is `stderr` ("file": a file, as a terminal or pipe would be reopened; "socket": Node's default). */
function child(body: string, stderr: "file" | "socket"): { status: number | null; stderr: string } {
  const script = `import { writeSync } from "node:fs"; import { withoutStderr } from ${JSON.stringify(here)};\n${body}`;
  const args = ["--import", "tsx", "--input-type=module", "-e", script];
  if (stderr === "socket") {
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    return { status: r.status, stderr: r.stderr };
  }
  const file = join(tmp.dir, `stderr-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(file, "w");
  try {
    const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", fd] });
    return { status: r.status, stderr: readFileSync(file, "utf8") };
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(process.platform !== "linux")("withoutStderr", () => {
  it("hides what is written to fd 2 during the load, returns its value and gives stderr back", () => {
    const r = child(`writeSync(2, "before\\n"); const v = withoutStderr(() => { writeSync(2, "hidden\\n"); return 7; });
      writeSync(2, "after " + v + "\\n"); process.stderr.write("stream\\n");`, "file");
    expect(r).toEqual({ status: 0, stderr: "before\nafter 7\nstream\n" });
  });

  it("gives stderr back when the load throws", () => {
    const r = child(`try { withoutStderr(() => { writeSync(2, "hidden\\n"); throw new Error("x"); }); } catch { writeSync(2, "caught\\n"); }`, "file");
    expect(r).toEqual({ status: 0, stderr: "caught\n" });
  });

  it("runs the load as it is where stderr is a socket (it cannot be reopened): nothing hidden, nothing lost", () => {
    const r = child(`withoutStderr(() => writeSync(2, "shown\\n")); writeSync(2, "after\\n");`, "socket");
    expect(r).toEqual({ status: 0, stderr: "shown\nafter\n" });
  });
});
