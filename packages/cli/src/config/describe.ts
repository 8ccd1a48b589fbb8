import type { z } from "zod";

/** How a found value reads in an error: its kind and, briefly, itself. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing (the key is missing)";
  if (v === null) return "null";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `the ${typeof v} ${v}`;
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? "" : "s"}`;
  return `a mapping with keys ${Object.keys(v as object).join(", ") || "(none)"}`;
}

export function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let v = data;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  discriminator?: string;
}
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The keys an object schema accepts at `path`, following defaults, arrays and discriminated unions. */
export function knownKeysAt(schema: z.ZodType, path: PropertyKey[], data: unknown): string[] {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; i <= path.length && s; i++) {
    let d = def(s);
    while (d.innerType || d.in) {
      // A preprocess pipe's input is its function: the keys live in what it feeds.
      s = (d.innerType ?? (def(d.in!).type === "transform" ? d.out : d.in))!;
      d = def(s);
    }
    if (d.type === "union" && d.discriminator) {
      const tag = valueAt(data, [...path.slice(0, i), d.discriminator]);
      s = d.options!.find((o) => {
        const lit = def(o).shape?.[d.discriminator!];
        return lit && (lit as unknown as { _zod: { def: { values: unknown[] } } })._zod.def.values.includes(tag);
      });
      if (!s) return [];
      d = def(s);
    }
    if (i === path.length) return d.shape ? Object.keys(d.shape) : [];
    const k = path[i];
    s = d.type === "array" ? d.element : d.shape?.[String(k)];
  }
  return [];
}
