import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";

/**
 * One binary format for the ingest cache, run files and model state: a JSON header and 8-byte-aligned
 * typed columns in one file. Reading is one `readFileSync` and zero-copy views, which is what makes a
 * cached reload fast.
 */
export type Column = Int32Array | Uint32Array | Float32Array | Float64Array | Int16Array | Uint8Array;
const MAGIC = "MLECOL1\n";
const TYPES = { Int32Array, Uint32Array, Float32Array, Float64Array, Int16Array, Uint8Array } as const;
type TypeName = keyof typeof TYPES;

interface Layout {
  meta: unknown;
  columns: Record<string, { type: TypeName; offset: number; length: number }>;
}

/** Writes to a temporary name and renames, so a crash never leaves a half-written cache file. */
export function writeColumnar(path: string, meta: unknown, columns: Record<string, Column>): void {
  const layout: Layout = { meta, columns: {} };
  let offset = 0;
  for (const [name, c] of Object.entries(columns)) {
    layout.columns[name] = { type: c.constructor.name as TypeName, offset, length: c.length };
    offset += align8(c.byteLength);
  }
  const header = Buffer.from(JSON.stringify(layout));
  const pre = Buffer.alloc(align8(MAGIC.length + 8 + header.length));
  pre.write(MAGIC, 0, "latin1");
  pre.writeBigUInt64LE(BigInt(header.length), MAGIC.length);
  header.copy(pre, MAGIC.length + 8);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, pre);
    const pad = Buffer.alloc(8);
    for (const c of Object.values(columns)) {
      writeSync(fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
      const extra = align8(c.byteLength) - c.byteLength;
      if (extra) writeSync(fd, pad, 0, extra);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function readColumnar(path: string): { meta: unknown; columns: Record<string, Column> } {
  let buf = readFileSync(path);
  // Typed views need aligned offsets; large reads own their ArrayBuffer, small pooled ones get copied.
  if (buf.byteOffset % 8 !== 0) buf = Buffer.from(new Uint8Array(buf).buffer);
  if (buf.toString("latin1", 0, MAGIC.length) !== MAGIC) throw new Error(`${path}: not a columnar cache file`);
  const hlen = Number(buf.readBigUInt64LE(MAGIC.length));
  const layout = JSON.parse(buf.toString("utf8", MAGIC.length + 8, MAGIC.length + 8 + hlen)) as Layout;
  const base = buf.byteOffset + align8(MAGIC.length + 8 + hlen);
  const columns: Record<string, Column> = {};
  for (const [name, c] of Object.entries(layout.columns)) {
    const T = TYPES[c.type];
    if (!T) throw new Error(`${path}: unknown column type ${c.type} (column ${name})`);
    const end = base + c.offset + c.length * T.BYTES_PER_ELEMENT;
    if (end > buf.byteOffset + buf.byteLength) throw new Error(`${path}: truncated (column ${name})`);
    columns[name] = new T(buf.buffer, base + c.offset, c.length);
  }
  return { meta: layout.meta, columns };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
