import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statfsSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { UserError, log } from "@mle/core";
import { BINDING_HEADERS, LINK_NAMES, WHEEL_LIBRARIES, nativeTarget, type NativeTarget, type Wheel } from "./pins.ts";
import { repoRootOf } from "../runner/paths.ts";

export interface SetupOptions {
  gpu: boolean;
  /** GPU only: fetch TensorFlow's CUDA wheels (false: use CUDA libraries the system already has, or run on the CPU). */
  cuda: boolean;
  /** Rebuild even when a working build is in place. */
  force: boolean;
}

export interface SetupResult {
  target: NativeTarget;
  dir: string;
  built: boolean;
  seconds: number;
  bytes: number;
  smoke: { backend: string; version: string; device: string; package: string };
}

/** Where builds and wheels are kept: $MLE_NATIVE_DIR, else ~/.cache/movielens-embeddings/native. */
export function nativeRoot(): string {
  return process.env.MLE_NATIVE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "movielens-embeddings", "native");
}

const requireModels = createRequire(join(repoRootOf(), "packages", "models", "package.json"));

/**
 * From nothing to a working native backend: fetch the pinned TensorFlow wheel with pip (sha256 checked),
 * take the two C libraries and 14 headers the binding needs, build the binding with node-gyp against the
 * local Node headers, smoke-test it in a fresh process, and link the result into the npm package's folder.
 * Idempotent (a working build is reused) and atomic (everything is built in a temporary folder and renamed
 * into place; an interrupted run leaves the previous build as it was).
 */
export function setupNative(o: SetupOptions): SetupResult {
  const t0 = performance.now();
  const target = nativeTarget(o.gpu);
  const pkgDir = packageDir(target.pkg);
  const root = nativeRoot();
  const key = `${target.pkg.split("/")[1]}-${target.tfjsVersion}-tf${target.wheel.version}${o.gpu && !o.cuda ? "-nocuda" : ""}`;
  const dir = join(root, key);
  mkdirSync(root, { recursive: true });
  cleanStale(root);
  if (!o.force && existsSync(join(dir, "build.json"))) {
    link(pkgDir, dir);
    const smoke = smokeTest(target);
    return { target, dir, built: false, seconds: (performance.now() - t0) / 1000, bytes: folderBytes(dir), smoke };
  }
  checkTools();
  checkDisk(root, o.gpu ? (o.cuda ? 8 : 2.5) : 1.5);
  const wheels = join(root, "wheels");
  const wheel = fetchWheel(target.wheel, wheels);
  const stage = `${dir}.tmp-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  try {
    log(`native: staging the binding in ${stage}`);
    for (const f of ["binding.gyp", "binding", "package.json"]) cpSync(join(pkgDir, f), join(stage, f), { recursive: true });
    extract(wheel, stage, [...WHEEL_LIBRARIES.map((l) => `tensorflow/${l}`), ...BINDING_HEADERS.map((h) => `tensorflow/include/${h}`)]);
    mkdirSync(join(stage, "deps", "lib"), { recursive: true });
    for (const l of WHEEL_LIBRARIES) renameSync(join(stage, "tensorflow", l), join(stage, "deps", "lib", l));
    for (const [name, to] of LINK_NAMES) symlinkSync(to, join(stage, "deps", "lib", name));
    renameSync(join(stage, "tensorflow", "include"), join(stage, "deps", "include"));
    rmSync(join(stage, "tensorflow"), { recursive: true });
    if (o.gpu && o.cuda) {
      for (const w of target.cuda) extract(fetchWheel(w, wheels), join(stage, "deps"), ["nvidia/"]);
    }
    compile(stage);
    rmSync(join(stage, "build"), { recursive: true, force: true }); // objects; the binding is in lib/
    writeFileSync(join(stage, "build.json"), `${JSON.stringify({ key, pkg: target.pkg, tfjs: target.tfjsVersion, wheel: target.wheel, cuda: o.gpu && o.cuda ? target.cuda.map((w) => `${w.name}==${w.version}`) : [], node: process.version, builtAt: new Date().toISOString() }, null, 2)}\n`);
    const old = `${dir}.old-${process.pid}`;
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(stage, dir);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    throw e;
  }
  link(pkgDir, dir);
  const smoke = smokeTest(target);
  return { target, dir, built: true, seconds: (performance.now() - t0) / 1000, bytes: folderBytes(dir), smoke };
}

function packageDir(pkg: string): string {
  try {
    return dirname(requireModels.resolve(`${pkg}/package.json`));
  } catch {
    throw new UserError(`${pkg} is not installed`, "run pnpm install first");
  }
}

/** Removes staging folders of builds that were interrupted (their process is gone). */
function cleanStale(root: string): void {
  for (const name of readdirSync(root)) {
    const m = /\.(tmp|old)-(\d+)$/.exec(name);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(root, name), { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { ok: boolean; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, encoding: "utf8", maxBuffer: 1 << 26 });
  return { ok: r.status === 0 && !r.error, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`, stdout: r.stdout ?? "" };
}

function python(): string {
  return process.env.MLE_PYTHON ?? "python3";
}

function checkTools(): void {
  if (process.platform !== "linux" || process.arch !== "x64") throw new UserError(`the native backend is built for Linux x86_64; this is ${process.platform} ${process.arch}`, "the wasm backend works everywhere: nothing to do");
  if (!run(python(), ["--version"]).ok) throw new UserError(`Python 3 is needed to fetch TensorFlow's wheel (${python()} did not run)`, "install python3 (Debian: apt install python3 python3-pip) or set MLE_PYTHON");
  if (!run(python(), ["-m", "pip", "--version"]).ok) throw new UserError(`pip is needed to fetch TensorFlow's wheel (${python()} -m pip did not run)`, "install pip (Debian: apt install python3-pip)");
  const cxx = process.env.CXX ?? "g++";
  if (!run(cxx, ["--version"]).ok) throw new UserError(`a C++ compiler is needed to build the binding (${cxx} did not run)`, "install one (Debian: apt install g++ make) or set CXX");
  if (!run("make", ["--version"]).ok) throw new UserError("make is needed to build the binding", "install it (Debian: apt install make)");
  if (!existsSync(join(nodeDir(), "include", "node", "node_api.h"))) {
    throw new UserError(`Node's headers are not at ${join(nodeDir(), "include", "node")} (node-gyp would download them, and this build must not)`, "install them (Debian: apt install libnode-dev) or set MLE_NODE_DIR to a Node install prefix with include/node");
  }
}

/** The Node install prefix whose include/node the binding compiles against. */
function nodeDir(): string {
  return process.env.MLE_NODE_DIR ?? dirname(dirname(process.execPath));
}

function checkDisk(root: string, gib: number): void {
  const s = statfsSync(root);
  const free = (s.bavail * s.bsize) / 2 ** 30;
  if (free < gib) throw new UserError(`${root} has ${free.toFixed(1)} GiB free; the build needs about ${gib} GiB`, "free some space or set MLE_NATIVE_DIR to a disk with room");
}

/** The wheel from the cache, else through pip (any local Python fetches the cp311 manylinux file); sha256 checked. */
function fetchWheel(w: Wheel, dir: string): string {
  const file = join(dir, w.file);
  mkdirSync(dir, { recursive: true });
  if (existsSync(file) && sha256Sync(file) === w.sha256) return file;
  rmSync(file, { force: true });
  log(`native: fetching ${w.name}==${w.version} with pip`);
  const r = run(python(), ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.11", "--platform", "manylinux_2_27_x86_64", "--dest", dir, "--quiet", `${w.name}==${w.version}`]);
  if (!r.ok || !existsSync(file)) throw new UserError(`pip could not fetch ${w.name}==${w.version}: ${r.out.trim().split("\n").slice(-3).join(" ")}`, "check that PyPI (or your pip index) is reachable");
  const got = sha256Sync(file);
  if (got !== w.sha256) {
    rmSync(file, { force: true });
    throw new UserError(`${w.file} has sha256 ${got}, expected ${w.sha256}: not the published wheel (deleted)`);
  }
  return file;
}

function sha256Sync(file: string): string {
  const r = spawnSync("sha256sum", [file], { encoding: "utf8" });
  if (r.status === 0) return r.stdout.split(" ")[0];
  return run(python(), ["-c", "import hashlib,sys; h=hashlib.sha256(); f=open(sys.argv[1],'rb'); [h.update(b) for b in iter(lambda: f.read(1<<22), b'')]; print(h.hexdigest())", file]).out.trim();
}

/** Members of a wheel (names, or prefixes ending in "/") extracted under `to`. */
function extract(wheel: string, to: string, members: string[]): void {
  const script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nwant = sys.argv[3:]\nnames = [n for n in z.namelist() if n in want or any(w.endswith('/') and n.startswith(w) for w in want)]\nmissing = [w for w in want if not w.endswith('/') and w not in names]\nif missing: sys.exit('missing from the wheel: ' + ', '.join(missing))\nfor n in names: z.extract(n, sys.argv[2])";
  const r = run(python(), ["-c", script, wheel, to, ...members]);
  if (!r.ok) throw new UserError(`extracting ${wheel} failed: ${r.out.trim()}`);
}

/** node-gyp over the package's own binding.gyp, with node-pre-gyp's variables and no header download. */
function compile(stage: string): void {
  const napi = Math.max(...(JSON.parse(readFileSync(join(stage, "package.json"), "utf8")) as { binary: { napi_versions: number[] } }).binary.napi_versions.filter((v) => v <= Number(process.versions.napi)));
  const gyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
  log("native: compiling the binding (about a minute)");
  const r = run(process.execPath, [gyp, "rebuild", `--nodedir=${nodeDir()}`, "-j", "max", "--module_name=tfjs_binding", `--module_path=${join(stage, "lib", `napi-v${napi}`)}`, `--napi_build_version=${napi}`], { cwd: stage });
  if (!r.ok || !existsSync(join(stage, "lib", `napi-v${napi}`, "tfjs_binding.node"))) {
    throw new UserError(`building the binding failed:\n${r.out.trim().split("\n").filter((l) => !l.startsWith("gyp info")).slice(-15).join("\n")}`);
  }
}

/** Points the package's `deps` and `lib` at the build (each replaced by an atomic rename of a fresh link). */
function link(pkgDir: string, dir: string): void {
  for (const name of ["deps", "lib"]) {
    const at = join(pkgDir, name);
    const to = join(dir, name);
    if (existsSync(at) && lstatSync(at).isSymbolicLink() && readlinkSync(at) === to) continue;
    if (existsSync(at) && !lstatSync(at).isSymbolicLink()) renameSync(at, `${at}.replaced-${Date.now()}`);
    const tmp = `${at}.link-${process.pid}`;
    rmSync(tmp, { force: true });
    symlinkSync(to, tmp);
    renameSync(tmp, at);
  }
}

/** Loads the backend in a fresh process, multiplies two matrices, and reports what it ran on. */
function smokeTest(target: NativeTarget): SetupResult["smoke"] {
  const tsx = join(repoRootOf(), "node_modules", ".bin", "tsx");
  const script = join(repoRootOf(), "packages", "models", "src", "engine", "native-smoke.ts");
  const r = run(tsx, [script], { env: { ...process.env, MLE_BACKEND: "native", MLE_DEVICE: target.variant === "cpu" ? "cpu" : "" } });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (!r.ok || !last.startsWith("{")) throw new UserError(`the built binding failed its smoke test:\n${r.out.trim().split("\n").slice(-10).join("\n")}`, "run pnpm setup-native --force to rebuild");
  return JSON.parse(last) as SetupResult["smoke"];
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const s = lstatSync(join(dir, name));
    if (s.isFile()) n += s.size;
  }
  return n;
}
