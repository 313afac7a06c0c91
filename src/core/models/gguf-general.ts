// The few `general.*` / `adapter.*` header fields the model list shows or filters on: what the file is
// (a model, a LoRA adapter, a vision projector), its name and its quantization. Only called on files
// precheckGguf has already walked, so every count and length here is known to fit in the file; the
// reader still stops at the end of the metadata and never reads tensor data.
import { open, type FileHandle } from 'node:fs/promises';

export interface GgufGeneral {
  /** general.type: "model", "adapter", "mmproj", "vocab" (absent in older files). */
  type?: string;
  architecture?: string;
  name?: string;
  /** general.file_type: llama.cpp's llama_ftype. */
  fileType?: number;
  /** adapter.type: "lora" in a LoRA adapter. */
  adapterType?: string;
}

/** llama_ftype → the name llama.cpp's quantize tool gives it (gaps are types llama.cpp removed). */
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
};

/** The quantization name of a llama_ftype, or undefined for one this table does not know. */
export function fileTypeName(fileType: number | undefined): string | undefined {
  // Bit 10 (LLAMA_FTYPE_GUESSED) marks a type llama.cpp guessed from the tensors; the name is the same.
  return fileType === undefined ? undefined : FILE_TYPES[fileType & ~1024];
}

/** A quantization named in a file name (…Q4_K_M.gguf, …-IQ3_XXS-00001-of-00002.gguf, …f16.gguf, …q4_k_m). */
export function quantizationFromName(fileName: string): string | undefined {
  const stem = fileName.replace(/\.gguf$/i, '');
  const m = /(?:^|[-_.:])(I?Q\d(?:_[A-Z0-9]+)*|BF16|F16|F32|MXFP4(?:_MOE)?)(?=$|[-_.])/i.exec(stem);
  return m?.[1].toUpperCase();
}

/** True for a file that must not be offered as a model: a vision projector, an adapter, a vocabulary only. */
export function isNotAModel(g: GgufGeneral): boolean {
  const type = g.type?.toLowerCase();
  if (type && type !== 'model') return true;
  return g.adapterType !== undefined || g.architecture?.toLowerCase() === 'clip';
}

const U32 = 4;
const STRING = 8;
const ARRAY = 9;
const FIXED: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
/** Longer string values are skipped, not decoded (names and types are short). */
const KEEP = 1024;
const CHUNK = 64 * 1024;

class Cursor {
  private buf = Buffer.alloc(0);
  private at = 0;
  pos = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
  ) {}

  private async need(n: number): Promise<number> {
    if (this.pos + n > this.size) throw new Error(`the header ends early (at byte ${this.size})`);
    const off = this.pos - this.at;
    if (off >= 0 && off + n <= this.buf.length) return off;
    const want = Math.min(Math.max(n, CHUNK), this.size - this.pos);
    const b = Buffer.alloc(want);
    const { bytesRead } = await this.fh.read(b, 0, want, this.pos);
    if (bytesRead < n) throw new Error(`the file ended while its header was read (at byte ${this.pos + bytesRead})`);
    this.buf = b.subarray(0, bytesRead);
    this.at = this.pos;
    return 0;
  }
  async u32(): Promise<number> {
    const o = await this.need(4);
    this.pos += 4;
    return this.buf.readUInt32LE(o);
  }
  async u64(): Promise<number> {
    const o = await this.need(8);
    this.pos += 8;
    return Number(this.buf.readBigUInt64LE(o));
  }
  async string(): Promise<string | undefined> {
    const len = await this.u64();
    if (len > KEEP) {
      this.skip(len);
      return undefined;
    }
    const o = await this.need(len);
    this.pos += len;
    return this.buf.toString('utf8', o, o + len);
  }
  skip(n: number): void {
    if (this.pos + n > this.size) throw new Error(`the header ends early (at byte ${this.size})`);
    this.pos += n;
  }
}

async function skipValue(c: Cursor, type: number): Promise<void> {
  const fixed = FIXED[type];
  if (fixed !== undefined) return c.skip(fixed);
  if (type === STRING) return c.skip(await c.u64());
  if (type !== ARRAY) throw new Error(`a metadata value of unknown type ${type}`);
  const itemType = await c.u32();
  const n = await c.u64();
  if (FIXED[itemType] !== undefined) return c.skip(n * FIXED[itemType]);
  for (let i = 0; i < n; i++) await skipValue(c, itemType);
}

/** Reads the general.* fields above from a GGUF file's metadata (precheck it first). */
export async function readGgufGeneral(file: string): Promise<GgufGeneral> {
  const fh = await open(file, 'r');
  try {
    const c = new Cursor(fh, (await fh.stat()).size);
    c.skip(8); // magic, version
    await c.u64(); // tensor count
    const kvs = await c.u64();
    const out: GgufGeneral = {};
    for (let i = 0; i < kvs; i++) {
      const key = (await c.string()) ?? '';
      const type = await c.u32();
      if (type === STRING && (key === 'general.type' || key === 'general.architecture' || key === 'general.name')) {
        const v = await c.string();
        if (v !== undefined) out[key.slice('general.'.length) as 'type' | 'architecture' | 'name'] = v;
      } else if (type === STRING && key === 'adapter.type') {
        out.adapterType = (await c.string()) ?? '';
      } else if (type === U32 && key === 'general.file_type') {
        out.fileType = await c.u32();
      } else {
        await skipValue(c, type);
      }
    }
    return out;
  } finally {
    await fh.close();
  }
}
