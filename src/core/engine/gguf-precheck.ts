// Our own walk over a GGUF file's header before llama.cpp (or node-llama-cpp's parser) sees it. Those
// parsers trust the counts and lengths in the header: an 88-byte file that claims 2^62 key-values or
// tensors made the engine spin at 100% CPU, allocating gigabytes, forever. Here every count, string
// length and tensor extent is checked against the bytes the file actually has before anything is read or
// allocated for it, so a hostile or truncated header fails at once, naming the field. Only the header and
// tensor-info region is read, in bounded chunks; the tensor data (gigabytes) is never touched.
import { open, type FileHandle } from 'node:fs/promises';
import { checkGgufFile } from './model-spec';
import { EngineError } from './types';

/** What the walk found: enough for a log line, and for tests. */
export interface GgufHeaderSummary {
  version: number;
  tensorCount: number;
  metadataCount: number;
  /** general.alignment, or the default 32. */
  alignment: number;
  /** Where the tensor data starts (the end of the header, padded to the alignment). */
  dataOffset: number;
  fileSize: number;
}

/** Metadata value types (the GGUF spec's gguf_metadata_value_type). */
const enum T {
  U8 = 0,
  I8,
  U16,
  I16,
  U32,
  I32,
  F32,
  BOOL,
  STRING,
  ARRAY,
  U64,
  I64,
  F64,
}
const FIXED_SIZE: Partial<Record<number, number>> = {
  [T.U8]: 1,
  [T.I8]: 1,
  [T.U16]: 2,
  [T.I16]: 2,
  [T.U32]: 4,
  [T.I32]: 4,
  [T.F32]: 4,
  [T.BOOL]: 1,
  [T.U64]: 8,
  [T.I64]: 8,
  [T.F64]: 8,
};
const TYPE_NAMES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];

/**
 * ggml tensor types as [elements per block, bytes per block], as llama.cpp's ggml reports them (a unit test
 * compares this table with the native library). Zeros are types ggml has removed: llama.cpp refuses them.
 * A type beyond the table (a newer llama.cpp's) gets only the offset check.
 */
const GGML_BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [1, 4],
  [1, 2],
  [32, 18],
  [32, 20],
  [0, 0],
  [0, 0],
  [32, 22],
  [32, 24],
  [32, 34],
  [32, 36], // 0..9: F32 F16 Q4_0 Q4_1 - - Q5_0 Q5_1 Q8_0 Q8_1
  [256, 84],
  [256, 110],
  [256, 144],
  [256, 176],
  [256, 210],
  [256, 292], // 10..15: Q2_K..Q8_K
  [256, 66],
  [256, 74],
  [256, 98],
  [256, 50],
  [32, 18],
  [256, 110],
  [256, 82],
  [256, 136], // 16..23: IQ2_XXS..IQ4_XS
  [1, 1],
  [1, 2],
  [1, 4],
  [1, 8],
  [1, 8],
  [256, 56],
  [1, 2], // 24..30: I8 I16 I32 I64 F64 IQ1_M BF16
  [0, 0],
  [0, 0],
  [0, 0],
  [256, 54],
  [256, 66],
  [0, 0],
  [0, 0],
  [0, 0], // 31..38: - - - TQ1_0 TQ2_0 - - -
  [32, 17],
  [64, 36],
  [128, 18],
  [64, 18], // 39..42: MXFP4 NVFP4 Q1_0 Q2_0
];
export const GGML_TYPE_BLOCKS = GGML_BLOCKS;

const DEFAULT_ALIGNMENT = 32;
/** GGML_MAX_DIMS: llama.cpp refuses tensors with more dimensions. */
const MAX_DIMS = 4;
/** GGML_MAX_NAME: llama.cpp refuses tensor names this long or longer. */
const MAX_TENSOR_NAME = 64;
/** The GGUF spec's limit on a metadata key's length. */
const MAX_KEY = 65535;
/** Arrays of arrays are allowed; this bounds the recursion a hostile file could ask for. */
const MAX_ARRAY_DEPTH = 8;
/** The smallest a key-value can be on disk: key length, an empty key's nothing, the type, a one-byte value. */
const MIN_KV_BYTES = 8 + 4 + 1;
/** The smallest a tensor info can be: name length, n_dims, one dimension, type, offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
const CHUNK = 64 * 1024;
/** `keep` for Reader.string: skip the text, whatever its length. */
const SKIP = -1;

/** Fails with NOT_GGUF and a message that starts with the file and names the field. */
class HeaderError extends EngineError {
  constructor(file: string, message: string) {
    super('NOT_GGUF', `${file}: ${message}`);
  }
}

/**
 * Reads forward through the file in chunks of at most CHUNK bytes (more only for one key or tensor name,
 * itself bounded), never past its end; skipped spans are not read at all.
 */
class Reader {
  private buf = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private bufAt = 0;
  pos = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    readonly fail: (message: string) => never,
  ) {}

  get remaining(): number {
    return this.size - this.pos;
  }

  /** Makes n bytes at pos available in buf, or fails naming `what` when the file ends first. */
  private async need(n: number, what: string): Promise<number> {
    if (n > this.remaining) {
      this.fail(`the file ends at byte ${this.size}, inside ${what} (${n} bytes needed at offset ${this.pos})`);
    }
    const at = this.pos - this.bufAt;
    if (at >= 0 && at + n <= this.buf.length) return at;
    const want = Math.min(Math.max(n, CHUNK), this.remaining);
    const next = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(next, got, want - got, this.pos + got);
      if (bytesRead === 0)
        this.fail(
          `the file ended while it was being read (at byte ${this.pos + got}, inside ${what}); was it truncated?`,
        );
      got += bytesRead;
    }
    this.buf = next;
    this.bufAt = this.pos;
    return 0;
  }

  async u32(what: string): Promise<number> {
    const at = await this.need(4, what);
    this.pos += 4;
    return this.buf.readUInt32LE(at);
  }

  async u64(what: string): Promise<bigint> {
    const at = await this.need(8, what);
    this.pos += 8;
    return this.buf.readBigUInt64LE(at);
  }

  /** A u64 count or length that must fit in what is left of the file at `unit` bytes each. */
  async count(what: string, unit: number, claim: (n: bigint) => string): Promise<number> {
    const n = await this.u64(what);
    if (n * BigInt(unit) > BigInt(this.remaining)) {
      this.fail(`${claim(n)}, but only ${this.remaining} bytes of the file's ${this.size} are left after it`);
    }
    return Number(n);
  }

  skip(n: number, what: string): void {
    if (n > this.remaining)
      this.fail(`the file ends at byte ${this.size}, inside ${what} (${n} bytes needed at offset ${this.pos})`);
    this.pos += n;
  }

  async bytes(n: number, what: string): Promise<Buffer> {
    const at = await this.need(n, what);
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  /**
   * Skips n GGUF strings (a vocabulary: hundreds of thousands), each length checked against the file.
   * Synchronous while the chunk lasts, and `what` is only built for an error: this loop is most of the walk.
   */
  async skipStrings(n: number, what: (i: number) => string): Promise<void> {
    for (let i = 0; i < n; i++) {
      let at = this.pos - this.bufAt;
      if (at < 0 || at + 8 > this.buf.length) at = await this.need(8, `the length of ${what(i)}`);
      const lo = this.buf.readUInt32LE(at);
      const hi = this.buf.readUInt32LE(at + 4);
      this.pos += 8;
      const len = hi * 2 ** 32 + lo;
      if (hi >= 2 ** 21 || len > this.remaining) {
        this.fail(
          `${what(i)} claims to be ${(BigInt(hi) << 32n) | BigInt(lo)} bytes long, but only ${this.remaining} ` +
            `bytes of the file's ${this.size} are left after it`,
        );
      }
      this.pos += len;
    }
  }

  /** A GGUF string: its length checked against the file; its text returned when it is at most `keep` bytes. */
  async string(what: string, keep: number): Promise<string | undefined> {
    const len = await this.count(`the length of ${what}`, 1, (n) => `${what} claims to be ${n} bytes long`);
    if (len > keep) {
      this.skip(len, what);
      return undefined;
    }
    return (await this.bytes(len, what)).toString('utf8');
  }
}

const typeName = (t: number) => TYPE_NAMES[t] ?? `unknown type ${t}`;

/**
 * Walks the GGUF header of `file` (magic, version 2 or 3, counts, every key-value including arrays of
 * arrays, every tensor info) and checks it against the file's size; throws EngineError NOT_GGUF naming the
 * field when something cannot be right, MODEL_NOT_FOUND when there is no such file.
 */
export async function precheckGguf(file: string): Promise<GgufHeaderSummary> {
  await checkGgufFile(file);
  const fh = await open(file, 'r');
  try {
    // The size of what is open now, not of what stat saw a moment ago.
    const size = (await fh.stat()).size;
    return await walk(
      new Reader(fh, size, (message) => {
        throw new HeaderError(file, message);
      }),
    );
  } finally {
    await fh.close();
  }
}

async function walk(r: Reader): Promise<GgufHeaderSummary> {
  const fail = r.fail;
  await r.bytes(4, 'the magic');
  const version = await r.u32('the GGUF version');
  if (version !== 2 && version !== 3) {
    const swapped = Buffer.alloc(4);
    swapped.writeUInt32BE(version);
    const other = swapped.readUInt32LE(0);
    if (other === 2 || other === 3)
      return fail(`a big-endian GGUF (version ${other}); llama.cpp cannot read one on this machine`);
    return fail(
      version === 1
        ? 'GGUF version 1, which llama.cpp no longer reads (it reads versions 2 and 3)'
        : `the header says GGUF version ${version}; llama.cpp reads versions 2 and 3`,
    );
  }
  const tensorClaim = await r.u64('the tensor count');
  const kvClaim = await r.u64('the metadata key-value count');
  const least = tensorClaim * BigInt(MIN_TENSOR_INFO_BYTES) + kvClaim * BigInt(MIN_KV_BYTES);
  if (least > BigInt(r.remaining)) {
    const what =
      tensorClaim * BigInt(MIN_TENSOR_INFO_BYTES) > BigInt(r.remaining)
        ? `${tensorClaim} tensors`
        : kvClaim * BigInt(MIN_KV_BYTES) > BigInt(r.remaining)
          ? `${kvClaim} metadata key-values`
          : `${tensorClaim} tensors and ${kvClaim} metadata key-values`;
    return fail(`header claims ${what}, but the file has only ${r.size} bytes`);
  }
  const tensorCount = Number(tensorClaim);
  const metadataCount = Number(kvClaim);

  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < metadataCount; i++) {
    const keyText = await r.string(`the key of metadata entry ${i}`, MAX_KEY);
    if (keyText === undefined) return fail(`the key of metadata entry ${i} is longer than ${MAX_KEY} bytes`);
    const key = `metadata entry ${i} (${JSON.stringify(keyText.slice(0, 200))})`;
    const type = await r.u32(`the value type of ${key}`);
    if (keyText === 'general.alignment') {
      if (type !== T.U32) return fail(`${key} must be a u32, but it is a ${typeName(type)}`);
      alignment = await r.u32(`the value of ${key}`);
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0)
        return fail(`${key} is ${alignment}, which is not a power of two`);
      continue;
    }
    await value(r, type, key, 0, fail);
  }

  const extents: Array<{ name: string; index: number; offset: bigint; bytes: bigint | undefined }> = [];
  for (let i = 0; i < tensorCount; i++) {
    const nameText = await r.string(`the name of tensor ${i}`, MAX_TENSOR_NAME - 1);
    if (nameText === undefined)
      return fail(
        `the name of tensor ${i} is ${MAX_TENSOR_NAME} bytes or longer (llama.cpp's limit is ${MAX_TENSOR_NAME - 1})`,
      );
    const name = `tensor ${i} (${JSON.stringify(nameText)})`;
    const dims = await r.u32(`the dimension count of ${name}`);
    if (dims < 1 || dims > MAX_DIMS) return fail(`${name} has ${dims} dimensions (1 to ${MAX_DIMS} are possible)`);
    let elements = 1n;
    let rowLength = 0n;
    for (let d = 0; d < dims; d++) {
      const n = await r.u64(`dimension ${d} of ${name}`);
      if (n >= 1n << 63n) return fail(`dimension ${d} of ${name} is ${n}, which is negative as llama.cpp reads it`);
      if (d === 0) rowLength = n;
      elements *= n;
      if (elements >= 1n << 63n) return fail(`${name} claims more than 2^63 elements`);
    }
    const ggmlType = await r.u32(`the type of ${name}`);
    const offset = await r.u64(`the data offset of ${name}`);
    let bytes: bigint | undefined;
    const block = GGML_BLOCKS[ggmlType];
    if (block) {
      const [perBlock, blockBytes] = block;
      if (perBlock === 0) return fail(`${name} has ggml type ${ggmlType}, which llama.cpp no longer supports`);
      if (rowLength % BigInt(perBlock) !== 0n)
        return fail(`${name}'s row length ${rowLength} is not a multiple of its type's block size ${perBlock}`);
      bytes = (elements / BigInt(perBlock)) * BigInt(blockBytes);
    }
    extents.push({ name, index: i, offset, bytes });
  }

  const headerEnd = r.pos;
  const dataOffset = Math.ceil(headerEnd / alignment) * alignment;
  if (tensorCount > 0 && dataOffset > r.size) {
    return fail(`the tensor data should start at byte ${dataOffset}, but the file has only ${r.size} bytes`);
  }
  const dataBytes = BigInt(r.size - Math.min(dataOffset, r.size));
  for (const t of extents) {
    if (t.offset % BigInt(alignment) !== 0n)
      return fail(`${t.name}'s data offset ${t.offset} is not a multiple of the alignment ${alignment}`);
    const end = t.offset + (t.bytes ?? 1n);
    if (end > dataBytes) {
      return fail(
        `${t.name}'s data (offset ${t.offset}${t.bytes !== undefined ? `, ${t.bytes} bytes` : ''}) runs past the ` +
          `end of the file ` +
          `(${dataBytes} bytes of tensor data after the header; was the file truncated?)`,
      );
    }
  }
  return { version, tensorCount, metadataCount, alignment, dataOffset, fileSize: r.size };
}

/** Skips one metadata value of `type` after checking every length and count in it against the file. */
async function value(r: Reader, type: number, where: string, depth: number, fail: (m: string) => never): Promise<void> {
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined) {
    r.skip(fixed, `the value of ${where}`);
    return;
  }
  if (type === T.STRING) {
    await r.string(`the string value of ${where}`, SKIP);
    return;
  }
  if (type !== T.ARRAY) return fail(`${where} has value type ${type}, which GGUF does not define (0 to 12)`);
  if (depth >= MAX_ARRAY_DEPTH) return fail(`${where} nests arrays more than ${MAX_ARRAY_DEPTH} deep`);
  const itemType = await r.u32(`the item type of the array in ${where}`);
  const itemFixed = FIXED_SIZE[itemType];
  // The least each item takes: its fixed size, a string's length, an inner array's item type and count.
  const unit = itemFixed ?? (itemType === T.STRING ? 8 : itemType === T.ARRAY ? 12 : 1);
  const n = await r.count(
    `the item count of the array in ${where}`,
    unit,
    (c) => `the ${typeName(itemType)} array in ${where} claims ${c} items`,
  );
  if (itemFixed !== undefined) {
    r.skip(n * itemFixed, `the array in ${where}`);
    return;
  }
  if (itemType === T.STRING) {
    await r.skipStrings(n, (i) => `string ${i} of the array in ${where}`);
    return;
  }
  if (itemType !== T.ARRAY)
    return fail(`the array in ${where} has item type ${itemType}, which GGUF does not define (0 to 12)`);
  for (let i = 0; i < n; i++) await value(r, T.ARRAY, `item ${i} of ${where}`, depth + 1, fail);
}
