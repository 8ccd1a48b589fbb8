import { describe, expect, it } from "vitest";
import { Rng } from "./rng.ts";
import { argsortUint32, gather, groupRows } from "./group.ts";

describe("argsortUint32", () => {
  it("matches a stable comparison sort on random keys, including huge ones and ties", () => {
    const rng = new Rng(1);
    const keys = Uint32Array.from({ length: 50_000 }, (_, i) => (i % 3 === 0 ? rng.nextUint32() : rng.int(100)));
    const expected = Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b] || a - b);
    expect([...argsortUint32(keys)]).toEqual(expected);
  });
});

describe("groupRows", () => {
  it("buckets rows by key, keeping the given order inside each bucket", () => {
    const key = Int32Array.from([2, 0, 2, 1, 0]);
    const g = groupRows(key, 3);
    expect([...g.offsets]).toEqual([0, 2, 3, 5]);
    expect([...g.rows]).toEqual([1, 4, 3, 0, 2]);
    const byOrder = groupRows(key, 3, Uint32Array.from([4, 3, 2, 1, 0]));
    expect([...byOrder.rows]).toEqual([4, 1, 3, 2, 0]);
  });
});

describe("gather", () => {
  it("takes values at the given rows, in their order, into an array of the same kind", () => {
    const out = gather(Float32Array.of(0.5, 1.5, 2.5, 3.5), Uint32Array.of(3, 0, 3));
    expect(out).toBeInstanceOf(Float32Array);
    expect([...out]).toEqual([3.5, 0.5, 3.5]);
    expect(gather(Int32Array.of(7, 8), [])).toEqual(new Int32Array(0));
  });
});
