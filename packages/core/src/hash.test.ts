import { describe, expect, it } from "vitest";
import { sha256, stableStringify } from "./hash.ts";

describe("hash", () => {
  it("stableStringify ignores key order", () => {
    expect(stableStringify({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 2 } })).toBe(
      stableStringify({ a: { c: 2, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
  });
  it("sha256 hashes typed arrays by their bytes (known vector)", () => {
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const bytes = new Uint8Array([0x61, 0x62, 0x63]);
    expect(sha256(bytes)).toBe(sha256("abc"));
    expect(sha256(new Uint32Array([1, 2]).subarray(1))).toBe(sha256(new Uint32Array([2])));
  });
});
