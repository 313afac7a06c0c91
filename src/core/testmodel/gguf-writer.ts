// A minimal streaming GGUF v3 writer: metadata and tensor infos go first, then each tensor's data is
// produced chunk by chunk by a generator, so a multi-GB model never has to sit in memory.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const GGUF_MAGIC = 'GGUF';
export const GGUF_ALIGNMENT = 32;

/** GGUF metadata value types (gguf.h `gguf_type`). */
export enum GgufType {
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
}
/** ggml tensor types used here. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
}

export type GgufScalar =
  | { type: GgufType.U32 | GgufType.I32 | GgufType.F32 | GgufType.U64; value: number }
  | { type: GgufType.BOOL; value: boolean }
  | { type: GgufType.STRING; value: string };
export type GgufValue =
  | GgufScalar
  | { type: GgufType.ARRAY; itemType: GgufType.STRING; value: readonly string[] }
  | { type: GgufType.ARRAY; itemType: GgufType.F32 | GgufType.I32 | GgufType.U32; value: readonly number[] };

export interface GgufTensorSpec {
  name: string;
  /** ggml dims, innermost (row length) first. */
  dims: number[];
  type: GgmlType;
  /** Yields the tensor's values in order, in chunks of any size; the total must equal the element count. */
  values(): Iterable<Float32Array>;
}

/** Byte sink that batches small writes, so the header is not written a few bytes at a time. */
class Sink {
  private buf = Buffer.alloc(1 << 20);
  private used = 0;
  written = 0;
  constructor(private readonly write: (b: Buffer) => Promise<void>) {}
  async bytes(b: Buffer): Promise<void> {
    if (this.used + b.length > this.buf.length) await this.flush();
    if (b.length > this.buf.length) {
      await this.write(b);
      this.written += b.length;
      return;
    }
    b.copy(this.buf, this.used);
    this.used += b.length;
    this.written += b.length;
  }
  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.write(Buffer.from(this.buf.subarray(0, this.used)));
    this.used = 0;
  }
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};
const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const f32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return b;
};
const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u64(b.length), b]);
};
const pad = (n: number) => Math.ceil(n / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;

function scalarBytes(type: GgufType, value: number | boolean | string): Buffer {
  switch (type) {
    case GgufType.U32:
      return u32(value as number);
    case GgufType.I32:
      return i32(value as number);
    case GgufType.F32:
      return f32(value as number);
    case GgufType.U64:
      return u64(value as number);
    case GgufType.BOOL:
      return Buffer.from([value ? 1 : 0]);
    case GgufType.STRING:
      return str(value as string);
    default:
      throw new Error(`unsupported GGUF scalar type ${type}`);
  }
}

export function tensorElements(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function tensorBytes(t: Pick<GgufTensorSpec, 'dims' | 'type'>): number {
  return tensorElements(t.dims) * (t.type === GgmlType.F16 ? 2 : 4);
}

const f32View = new Float32Array(1);
const u32View = new Uint32Array(f32View.buffer);
/** float32 -> IEEE half bits, round to nearest even (matches Python struct 'e'). */
export function toF16(v: number): number {
  f32View[0] = v;
  const u = u32View[0];
  const sign = (u >>> 16) & 0x8000;
  const e = ((u >>> 23) & 0xff) - 127 + 15;
  const m = u & 0x7fffff;
  if (e <= 0) {
    if (e < -10) return sign;
    const mm = m | 0x800000;
    const sh = 14 - e;
    let h = mm >> sh;
    if ((mm >> (sh - 1)) & 1 && (mm & ((1 << (sh - 1)) - 1) || h & 1)) h++;
    return sign | h;
  }
  if (e >= 31) return sign | 0x7c00;
  let h = sign | (e << 10) | (m >> 13);
  if (m & 0x1000 && m & 0x2fff) h++;
  return h;
}

function encodeChunk(chunk: Float32Array, type: GgmlType): Buffer {
  if (type === GgmlType.F32) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  // Typed arrays use the platform's byte order; GGUF is little-endian, as is every platform llama.cpp runs on.
  const out = new Uint16Array(chunk.length);
  for (let i = 0; i < chunk.length; i++) out[i] = toF16(chunk[i]);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Writes a GGUF v3 file; returns its size in bytes. */
export async function writeGguf(
  file: string,
  metadata: ReadonlyArray<[string, GgufValue]>,
  tensors: readonly GgufTensorSpec[],
): Promise<number> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  // Write to a temporary name and rename, so an interrupted run never leaves a truncated model behind;
  // the name is unique so two processes writing the same model (tests run in parallel) cannot interleave.
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  const fh = await open(tmp, 'w');
  try {
    const sink = new Sink(async (b) => {
      await fh.write(b);
    });
    await sink.bytes(Buffer.from(GGUF_MAGIC, 'ascii'));
    await sink.bytes(u32(3));
    await sink.bytes(u64(tensors.length));
    await sink.bytes(u64(metadata.length));
    for (const [key, v] of metadata) {
      await sink.bytes(str(key));
      await sink.bytes(u32(v.type));
      if (v.type === GgufType.ARRAY) {
        await sink.bytes(u32(v.itemType));
        await sink.bytes(u64(v.value.length));
        for (const item of v.value) await sink.bytes(scalarBytes(v.itemType, item));
      } else {
        await sink.bytes(scalarBytes(v.type, v.value));
      }
    }
    let offset = 0;
    for (const t of tensors) {
      await sink.bytes(str(t.name));
      await sink.bytes(u32(t.dims.length));
      for (const d of t.dims) await sink.bytes(u64(d));
      await sink.bytes(u32(t.type));
      await sink.bytes(u64(offset));
      offset += pad(tensorBytes(t));
    }
    await sink.bytes(Buffer.alloc(pad(sink.written) - sink.written));
    for (const t of tensors) {
      const expected = tensorElements(t.dims);
      let n = 0;
      for (const chunk of t.values()) {
        n += chunk.length;
        await sink.bytes(encodeChunk(chunk, t.type));
      }
      if (n !== expected) throw new Error(`tensor ${t.name}: generated ${n} values, expected ${expected}`);
      const bytes = tensorBytes(t);
      await sink.bytes(Buffer.alloc(pad(bytes) - bytes));
    }
    await sink.flush();
    await fh.close();
    await rename(tmp, file);
    return sink.written;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
