import { describe, expect, it } from "vitest";
import { Rng } from "./rng.ts";

describe("Rng", () => {
  it("gives the same sequence for the same seed and stream", () => {
    const a = new Rng(42, "split");
    const b = new Rng(42, "split");
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b.nextUint32()));
  });

  it("gives different sequences for different seeds or streams", () => {
    const first = (r: Rng) => Array.from({ length: 8 }, () => r.nextUint32());
    expect(first(new Rng(1))).not.toEqual(first(new Rng(2)));
    expect(first(new Rng(1, "a"))).not.toEqual(first(new Rng(1, "b")));
  });

  it("fork does not depend on how much the parent was used", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    for (let i = 0; i < 50; i++) b.nextUint32();
    expect(a.fork("x").nextUint32()).toBe(b.fork("x").nextUint32());
  });

  it("int is uniform and in range", () => {
    const r = new Rng(3);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // ~5 sigma
    expect(() => r.int(0)).toThrow(RangeError);
  });

  it("nextFloat is in [0,1) with mean 1/2", () => {
    const r = new Rng(11);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });

  it("permutation holds every index once", () => {
    const p = new Rng(5).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it("fillUniform and fillNormal: reproducible, in range, with the right moments", () => {
    const u = new Rng(9).fillUniform(new Float32Array(100_001));
    expect(Array.from(new Rng(9).fillUniform(new Float32Array(100_001)))).toEqual(Array.from(u));
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 0.5)).toBeLessThan(0.005);
    const z = new Rng(9).fillNormal(new Float32Array(100_001), 2);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 2)).toBeLessThan(0.03);
  });
});
