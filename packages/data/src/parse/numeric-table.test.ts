import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError } from "@mle/core";
import { tempDir, testMirror, noMirrorReason } from "@mle/core/testing";
import { readRatings } from "./ratings.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);
const file = (name: string, text: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};
const errorOf = async (f: () => Promise<unknown>): Promise<DataFormatError> => {
  try {
    await f();
  } catch (e) {
    if (e instanceof DataFormatError) return e;
    throw e;
  }
  throw new Error("expected a DataFormatError");
};

describe("readRatings", () => {
  it("reads the three formats, CRLF and a missing final newline", async () => {
    const csv = await readRatings(file("r.csv", "userId,movieId,rating,timestamp\r\n1,31,2.5,1260759144\r\n2,1029,3,1260759179"), "csv");
    expect([...csv.user]).toEqual([1, 2]);
    expect([...csv.movie]).toEqual([31, 1029]);
    expect([...csv.rating]).toEqual([2.5, 3]);
    expect([...csv.timestamp]).toEqual([1260759144, 1260759179]);
    const dat = await readRatings(file("r.dat", "1::1193::5::978300760\n1::661::3::978302109\n"), "dat");
    expect([...dat.movie]).toEqual([1193, 661]);
    const udata = await readRatings(file("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n"), "udata");
    expect([...udata.user]).toEqual([196, 186]);
  });

  it("agrees with a naive parse across chunk and block boundaries", async () => {
    const n = 300_000; // > 8 MiB and many 64k-row blocks
    const lines = ["userId,movieId,rating,timestamp"];
    for (let i = 0; i < n; i++) lines.push(`${i % 977},${(i * 7919) % 200_000},${((i % 10) + 1) / 2},${1_000_000_000 + i * 13}`);
    const r = await readRatings(file("big.csv", lines.join("\n") + "\n"), "csv");
    expect(r.rows).toBe(n);
    for (const i of [0, 1, 65_535, 65_536, 123_457, n - 1]) {
      const [u, m, s, t] = lines[i + 1].split(",").map(Number);
      expect([r.user[i], r.movie[i], r.rating[i], r.timestamp[i]]).toEqual([u, m, s, t]);
    }
  });

  it("parses on several threads into the same columns, with file-wide line numbers in errors", async () => {
    const lines = ["userId,movieId,rating,timestamp"];
    for (let i = 0; i < 200_000; i++) lines.push(`${i % 611},${(i * 31) % 9000},${((i % 10) + 1) / 2},${1_000_000_000 + i}`);
    const path = file("threads.csv", lines.join("\n") + "\n");
    const serial = await readRatings(path, "csv", undefined, { threads: 1 });
    const parallel = await readRatings(path, "csv", undefined, { threads: 3, minParallelBytes: 0 });
    expect(parallel.rows).toBe(200_000);
    for (const k of ["user", "movie", "rating", "timestamp"] as const) expect(Buffer.from(parallel[k].buffer)).toEqual(Buffer.from(serial[k].slice().buffer));
    lines[180_001] = "7,8,nine,10"; // line 180,002 of the file, in the third range
    const bad = file("threads-bad.csv", lines.join("\n") + "\n");
    const e = await errorOf(() => readRatings(bad, "csv", undefined, { threads: 3, minParallelBytes: 0 }));
    expect(e.message).toBe('threads-bad.csv:180002: field 3 is not a number: "nine"');
  }); // worker start-up (tsx compiling in each) is slow under Vitest: the package timeout is generous

  it("names file and line for a malformed row", async () => {
    const e = await errorOf(() => readRatings(file("bad.csv", "userId,movieId,rating,timestamp\n1,2,3.0,100\n1,x,3.0,100\n"), "csv"));
    expect(e.message).toBe('bad.csv:3: field 2 is not a number: "x"');
    expect((await errorOf(() => readRatings(file("short.csv", "userId,movieId,rating,timestamp\n1,2,3.0\n"), "csv"))).message).toMatch(/^short\.csv:2: expected 4 fields/);
    expect((await errorOf(() => readRatings(file("long.dat", "1::2::3::4::5\n"), "dat"))).message).toMatch(/^long\.dat:1: expected 4 fields, found more/);
    expect((await errorOf(() => readRatings(file("gap.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n\n1,2,3,4\n"), "csv"))).message).toBe("gap.csv:3: empty line");
  });

  it("rejects out-of-range values and non-integer ids with their line", async () => {
    expect((await errorOf(() => readRatings(file("range.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n1,2,7.5,4\n"), "csv"))).message).toBe(
      "range.csv:3: rating out of range [0, 5]: 7.5",
    );
    expect((await errorOf(() => readRatings(file("frac.csv", "userId,movieId,rating,timestamp\n1.5,2,3,4\n"), "csv"))).message).toBe(
      "frac.csv:2: user must be an integer, found 1.5",
    );
  });

  it("checks the header", async () => {
    expect((await errorOf(() => readRatings(file("h.csv", "user,movie,rating,ts\n1,2,3,4\n"), "csv"))).message).toMatch(/^h\.csv:1: expected header "userId,movieId,rating,timestamp", found "user,movie,rating,ts"/);
  });

  it.skipIf(!testMirror())(`rejects the real spreadsheet-mangled ratings file at line 1 (skips when ${noMirrorReason})`, async () => {
    const e = await errorOf(() => readRatings(join(testMirror()!, "corrupt", "ratings-trailing-commas.csv"), "csv"));
    expect(e.file).toBe("ratings-trailing-commas.csv");
    expect(e.line).toBe(1);
    expect(e.message).toContain('found "userId,movieId,rating,timestamp,,,,"');
    expect(e.hint).toMatch(/spreadsheet/);
  });
});
