// GGUF files byte by byte, for the header pre-check's tests: valid ones with every metadata value type
// (which our model writer has no need for) and hostile ones whose counts and lengths lie.
export const u8 = (n: number) => Buffer.from([n]);
export const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
export const u64 = (n: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
export const f32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(n);
  return b;
};
export const f64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return b;
};
export const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u64(b.length), b]);
};

/** GGUF metadata value types. */
export const T = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  U64: 10,
  I64: 11,
  F64: 12,
} as const;

export const header = (version: number, tensors: number | bigint, kvs: number | bigint) =>
  Buffer.concat([Buffer.from('GGUF', 'latin1'), u32(version), u64(tensors), u64(kvs)]);
/** One key-value: the key, the value's type, then `value` (its bytes, already encoded). */
export const kv = (key: string, type: number, value: Buffer) => Buffer.concat([str(key), u32(type), value]);
/** An array value (after the ARRAY type): item type, count, items. */
export const array = (itemType: number, items: Buffer[]) => Buffer.concat([u32(itemType), u64(items.length), ...items]);

/** Key-values of every type GGUF defines, arrays of each kind, an empty array and arrays of arrays. */
export function everyValueType(): Buffer[] {
  return [
    kv('general.architecture', T.STRING, str('llama')),
    kv('test.u8', T.U8, u8(7)),
    kv('test.i8', T.I8, u8(0xff)),
    kv('test.u16', T.U16, u16(65535)),
    kv('test.i16', T.I16, u16(0x8000)),
    kv('test.u32', T.U32, u32(123456)),
    kv('test.i32', T.I32, u32(0xffffffff)),
    kv('test.f32', T.F32, f32(0.5)),
    kv('test.bool', T.BOOL, u8(1)),
    kv('test.string', T.STRING, str('héllo')),
    kv('test.empty_string', T.STRING, str('')),
    kv('test.u64', T.U64, u64(2n ** 40n)),
    kv('test.i64', T.I64, u64(2n ** 64n - 1n)),
    kv('test.f64', T.F64, f64(Math.PI)),
    kv('test.array_u8', T.ARRAY, array(T.U8, [u8(1), u8(2), u8(3)])),
    kv('test.array_i16', T.ARRAY, array(T.I16, [u16(1), u16(2)])),
    kv('test.array_f64', T.ARRAY, array(T.F64, [f64(1), f64(2)])),
    kv('test.array_bool', T.ARRAY, array(T.BOOL, [u8(0), u8(1)])),
    kv('test.array_string', T.ARRAY, array(T.STRING, [str('a'), str(''), str('ccc')])),
    kv('test.array_empty', T.ARRAY, array(T.U32, [])),
    kv(
      'test.array_of_arrays',
      T.ARRAY,
      array(T.ARRAY, [array(T.U32, [u32(1), u32(2)]), array(T.STRING, [str('x')]), array(T.U8, [])]),
    ),
  ];
}

export interface RawTensor {
  name: string;
  dims: number[];
  type: number;
  bytes: number;
}

/**
 * A whole GGUF: header, key-values, tensor infos, padding to `alignment`, tensor data (zeros). A non-default
 * alignment is written as general.alignment (u32).
 */
export function ggufFile(
  o: { version?: number; kvs?: Buffer[]; tensors?: RawTensor[]; alignment?: number } = {},
): Buffer {
  const alignment = o.alignment ?? 32;
  const kvs = [...(o.kvs ?? [])];
  if (o.alignment !== undefined) kvs.push(kv('general.alignment', T.U32, u32(alignment)));
  const tensors = o.tensors ?? [];
  const pad = (n: number) => Math.ceil(n / alignment) * alignment;
  let offset = 0;
  const infos = tensors.map((t) => {
    const info = Buffer.concat([
      str(t.name),
      u32(t.dims.length),
      ...t.dims.map((d) => u64(d)),
      u32(t.type),
      u64(offset),
    ]);
    offset += pad(t.bytes);
    return info;
  });
  const head = Buffer.concat([header(o.version ?? 3, tensors.length, kvs.length), ...kvs, ...infos]);
  const data = tensors.map((t) => Buffer.alloc(pad(t.bytes)));
  return Buffer.concat([head, Buffer.alloc(pad(head.length) - head.length), ...data]);
}
