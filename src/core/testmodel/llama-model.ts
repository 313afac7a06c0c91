// Deterministic random-weight llama-architecture GGUF models (and LoRA adapters for them), for tests,
// benchmarks and GPU checks that need a real model file without downloading one. Weights are random,
// so the text such a model writes is gibberish; only its shapes, tokenizer and speed are realistic.
import { TEST_MODEL_NAME } from '../engine/model-info';
import {
  type BpeTokenizerName,
  type ChatTemplateName,
  BPE_TOKENIZERS,
  CHAT_TEMPLATES,
  buildBpeVocab,
} from './bpe-vocab';
import { GgmlType, GgufType, type GgufTensorSpec, type GgufValue, tensorElements, writeGguf } from './gguf-writer';

/** 'byte': the built-in ~650-token byte-level SentencePiece vocabulary (fast); the others are real BPE vocabularies. */
export type TestTokenizer = 'byte' | BpeTokenizerName;
export const TEST_TOKENIZERS: readonly TestTokenizer[] = ['byte', ...BPE_TOKENIZERS];

export interface TestModelOptions {
  layers?: number;
  embd?: number;
  heads?: number;
  /** Defaults to `heads` (no grouped-query attention). */
  kvHeads?: number;
  ff?: number;
  /**
   * Total vocabulary size. The byte tokenizer has ~650 tokens and larger sizes add filler word pieces; a
   * BPE tokenizer has its own size and larger sizes add reserved control tokens.
   */
  vocab?: number;
  /** 'byte' (default) or a real BPE tokenizer: gpt2 (50k), cl100k (100k; Llama 3's base), o200k (200k). */
  tokenizer?: TestTokenizer;
  /** The chat template and its special tokens: chatml (default) or llama3 (BPE tokenizers only). */
  chatTemplate?: ChatTemplateName;
  /** Trained context length written to the metadata. */
  ctx?: number;
  seed?: number;
  /** All tensors f32 instead of f16 matrices + f32 norms. */
  f32?: boolean;
}

export type ResolvedTestModelOptions = Required<Omit<TestModelOptions, 'vocab'>> & { vocab: number | undefined };

const LLAMA3_STYLE = { tokenizer: 'cl100k', chatTemplate: 'llama3' } as const;

/**
 * Shapes worth naming: `tiny` for unit tests, the others for realistic speed and memory checks. The
 * `-bpe` ones carry a real tokenizer and chat template (cl100k BPE, Llama 3 chat format), so prompts
 * cost as many tokens as on a real model; the others the fast byte-level vocabulary.
 */
export const TEST_MODEL_PRESETS = {
  tiny: { layers: 2, embd: 64, heads: 4, ff: 128 },
  small: { layers: 8, embd: 512, heads: 8, ff: 1536 },
  /** ~134M parameters (GPT-2-small-like widths, 32k vocab). */
  '100m': { layers: 12, embd: 768, heads: 12, ff: 2048, vocab: 32000 },
  /** ~1.1B parameters (TinyLlama shapes: GQA 32/4 heads, 32k vocab). */
  '1b': { layers: 22, embd: 2048, heads: 32, kvHeads: 4, ff: 5632, vocab: 32000 },
  /** `tiny` with the real tokenizer: ~13M parameters, nearly all of them the 100k-token embeddings. */
  'tiny-bpe': { layers: 2, embd: 64, heads: 4, ff: 128, ...LLAMA3_STYLE },
  /** `small` with the real tokenizer (~130M parameters). */
  'small-bpe': { layers: 8, embd: 512, heads: 8, ff: 1536, ...LLAMA3_STYLE },
  /** `100m`'s layers with the real tokenizer (~240M parameters). */
  '100m-bpe': { layers: 12, embd: 768, heads: 12, ff: 2048, ...LLAMA3_STYLE },
} as const satisfies Record<string, TestModelOptions>;
export type TestModelPreset = keyof typeof TEST_MODEL_PRESETS;

export function resolveTestModelOptions(o: TestModelOptions = {}): ResolvedTestModelOptions {
  const r: ResolvedTestModelOptions = {
    layers: o.layers ?? 2,
    embd: o.embd ?? 64,
    heads: o.heads ?? 4,
    kvHeads: o.kvHeads ?? o.heads ?? 4,
    ff: o.ff ?? 128,
    vocab: o.vocab,
    ctx: o.ctx ?? 4096,
    seed: o.seed ?? 42,
    f32: o.f32 ?? false,
    tokenizer: o.tokenizer ?? 'byte',
    chatTemplate: o.chatTemplate ?? 'chatml',
  };
  if (!TEST_TOKENIZERS.includes(r.tokenizer))
    throw new Error(`tokenizer must be one of ${TEST_TOKENIZERS.join(', ')}, got ${r.tokenizer}`);
  if (!CHAT_TEMPLATES.includes(r.chatTemplate))
    throw new Error(`chatTemplate must be one of ${CHAT_TEMPLATES.join(', ')}, got ${r.chatTemplate}`);
  if (r.tokenizer === 'byte' && r.chatTemplate !== 'chatml')
    throw new Error(
      `the byte tokenizer has only the chatml template's special tokens; use a BPE tokenizer for ${r.chatTemplate}`,
    );
  for (const k of ['layers', 'embd', 'heads', 'kvHeads', 'ff', 'ctx'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new Error(`${k} must be a positive integer, got ${r[k]}`);
  }
  if (!Number.isInteger(r.seed) || r.seed < 0) throw new Error(`seed must be a non-negative integer, got ${r.seed}`);
  const headDim = r.embd / r.heads;
  if (!Number.isInteger(headDim) || headDim % 2)
    throw new Error(`embd / heads must be an even integer (embd ${r.embd}, heads ${r.heads})`);
  if (r.heads % r.kvHeads) throw new Error(`heads (${r.heads}) must be a multiple of kvHeads (${r.kvHeads})`);
  return r;
}

// llama.cpp token types
const T_NORMAL = 1,
  T_UNKNOWN = 2,
  T_CONTROL = 3,
  T_BYTE = 6;
const WORDS = (
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but ' +
  'not what all were we when your can said there use an each which she do how their if will up other about out ' +
  'many then them these so some her would make like him into time has look two more write go see number no way ' +
  'could people my than first water been call who oil its now find long down day did get come made may part score ' +
  'rubric answer question student points correct because example reason json true false name value list item code ' +
  'test model text'
).split(' ');
const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + " +
  "'\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

/** Byte-level SentencePiece vocab: control tokens, <0x00>..<0xFF> byte fallback, ASCII, word prefixes. */
export function buildVocab(size?: number): Vocab {
  const v: Vocab = { tokens: [], scores: [], types: [] };
  const seen = new Set<string>();
  const add = (t: string, s: number, ty: number) => {
    seen.add(t);
    v.tokens.push(t);
    v.scores.push(s);
    v.types.push(ty);
  };
  add('<unk>', 0, T_UNKNOWN);
  add('<s>', 0, T_CONTROL);
  add('</s>', 0, T_CONTROL);
  add('<|im_start|>', 0, T_CONTROL);
  add('<|im_end|>', 0, T_CONTROL);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0, T_BYTE);
  const piece = (p: string) => {
    if (!seen.has(p)) add(p, -v.tokens.length, T_NORMAL);
  };
  piece('\u2581'); // SPM's space marker
  for (let c = 33; c < 127; c++) piece(String.fromCharCode(c));
  for (const w of WORDS) {
    const p = '\u2581' + w;
    for (let i = 2; i <= p.length; i++) piece(p.slice(0, i));
  }
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < v.tokens.length)
      throw new Error(`vocab must be an integer of at least ${v.tokens.length}, got ${size}`);
    // Filler pieces: letter strings "▁ba", "▁ca", ... so a large vocab stays printable.
    for (let i = 0; v.tokens.length < size; i++) {
      let s = '',
        n = i + 26;
      while (n > 0) {
        s = String.fromCharCode(97 + (n % 26)) + s;
        n = Math.floor(n / 26);
      }
      piece('\u2581' + s);
    }
  }
  return v;
}

/** mulberry32: tiny, fast and identical on every platform, so the same seed gives the same bytes. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHUNK = 1 << 16;
/** Values i = 0..n-1 from `at(i)`, produced in chunks so huge tensors stream. */
function* generate(n: number, at: (i: number) => number): Iterable<Float32Array> {
  for (let start = 0; start < n; start += CHUNK) {
    const len = Math.min(CHUNK, n - start);
    const out = new Float32Array(len);
    for (let j = 0; j < len; j++) out[j] = at(start + j);
    yield out;
  }
}

function tensors(specs: Array<[string, number[], (i: number) => number]>, f32: boolean): GgufTensorSpec[] {
  return specs.map(([name, dims, at]) => ({
    name,
    dims,
    // 1-D norm weights stay f32 as llama.cpp's converters do.
    type: f32 || dims.length === 1 ? GgmlType.F32 : GgmlType.F16,
    values: () => generate(tensorElements(dims), at),
  }));
}

export interface WrittenModel {
  file: string;
  bytes: number;
  params: number;
  vocab: number;
  options: ResolvedTestModelOptions;
}

/** A model's vocabulary as the writer needs it: its size, which tokens may be generated, its GGUF keys. */
interface ModelVocab {
  size: number;
  types: readonly number[];
  metadata: Array<[string, GgufValue]>;
}

const U32 = (value: number): GgufValue => ({ type: GgufType.U32, value });
const BOOL = (value: boolean): GgufValue => ({ type: GgufType.BOOL, value });
const STR = (value: string): GgufValue => ({ type: GgufType.STRING, value });

function modelVocab(o: ResolvedTestModelOptions): ModelVocab {
  if (o.tokenizer === 'byte') {
    const v = buildVocab(o.vocab);
    return {
      size: v.tokens.length,
      types: v.types,
      metadata: [
        ['tokenizer.ggml.model', STR('llama')],
        ['tokenizer.ggml.tokens', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: v.tokens }],
        ['tokenizer.ggml.scores', { type: GgufType.ARRAY, itemType: GgufType.F32, value: v.scores }],
        ['tokenizer.ggml.token_type', { type: GgufType.ARRAY, itemType: GgufType.I32, value: v.types }],
        ['tokenizer.ggml.unknown_token_id', U32(0)],
        ['tokenizer.ggml.bos_token_id', U32(1)],
        ['tokenizer.ggml.eos_token_id', U32(4)], // <|im_end|> ends a ChatML turn
        ['tokenizer.ggml.padding_token_id', U32(2)],
        ['tokenizer.ggml.add_bos_token', BOOL(true)],
        ['tokenizer.ggml.add_eos_token', BOOL(false)],
        // No "▁" after special tokens, so the ChatML text tokenizes exactly as written.
        ['tokenizer.ggml.add_space_prefix', BOOL(false)],
        ['tokenizer.chat_template', STR(CHATML)],
      ],
    };
  }
  const v = buildBpeVocab(o.tokenizer, o.chatTemplate, o.vocab);
  return {
    size: v.tokens.length,
    types: v.types,
    metadata: [
      // llama.cpp's name for byte-level BPE with merges, whatever model family the vocabulary comes from.
      ['tokenizer.ggml.model', STR('gpt2')],
      ['tokenizer.ggml.pre', STR(v.pre)],
      ['tokenizer.ggml.tokens', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: v.tokens }],
      ['tokenizer.ggml.token_type', { type: GgufType.ARRAY, itemType: GgufType.I32, value: v.types }],
      ['tokenizer.ggml.merges', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: v.merges }],
      ['tokenizer.ggml.bos_token_id', U32(v.bos)],
      ['tokenizer.ggml.eos_token_id', U32(v.eos)],
      ['tokenizer.ggml.add_bos_token', BOOL(v.addBos)],
      ['tokenizer.ggml.add_eos_token', BOOL(false)],
      ['tokenizer.chat_template', STR(v.template)],
    ],
  };
}

/** Writes a random-weight llama GGUF. The same options (seed included) always give the same bytes. */
export async function writeTestModel(file: string, options: TestModelOptions = {}): Promise<WrittenModel> {
  const o = resolveTestModelOptions(options);
  const vocab = modelVocab(o);
  const nVocab = vocab.size;
  const headDim = o.embd / o.heads;
  const kvDim = headDim * o.kvHeads;
  const rnd = mulberry32(o.seed);
  const randn = (scale: number) => () => (rnd() * 2 - 1) * scale;
  const ones = () => 1;
  const a = 1 / Math.sqrt(o.embd),
    f = 1 / Math.sqrt(o.ff);
  const specs: Array<[string, number[], (i: number) => number]> = [
    ['token_embd.weight', [o.embd, nVocab], randn(1)],
    ['output_norm.weight', [o.embd], ones],
    // Rows of non-normal tokens are zero, so greedy decoding only ever picks printable text.
    [
      'output.weight',
      [o.embd, nVocab],
      (i) => (vocab.types[Math.floor(i / o.embd)] === T_NORMAL ? (rnd() * 2 - 1) * 0.5 : 0),
    ],
  ];
  for (let l = 0; l < o.layers; l++) {
    const p = `blk.${l}.`;
    specs.push(
      [p + 'attn_norm.weight', [o.embd], ones],
      [p + 'attn_q.weight', [o.embd, o.embd], randn(a)],
      [p + 'attn_k.weight', [o.embd, kvDim], randn(a)],
      [p + 'attn_v.weight', [o.embd, kvDim], randn(a)],
      [p + 'attn_output.weight', [o.embd, o.embd], randn(a)],
      [p + 'ffn_norm.weight', [o.embd], ones],
      [p + 'ffn_gate.weight', [o.embd, o.ff], randn(a)],
      [p + 'ffn_up.weight', [o.embd, o.ff], randn(a)],
      [p + 'ffn_down.weight', [o.ff, o.embd], randn(f)],
    );
  }
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', STR('llama')],
    ['general.name', STR(TEST_MODEL_NAME)],
    ['general.alignment', U32(32)],
    ['general.file_type', U32(o.f32 ? 0 : 1)], // 0 = ALL_F32, 1 = MOSTLY_F16
    ['llama.context_length', U32(o.ctx)],
    ['llama.embedding_length', U32(o.embd)],
    ['llama.block_count', U32(o.layers)],
    ['llama.feed_forward_length', U32(o.ff)],
    ['llama.attention.head_count', U32(o.heads)],
    ['llama.attention.head_count_kv', U32(o.kvHeads)],
    ['llama.rope.dimension_count', U32(headDim)],
    ['llama.rope.freq_base', { type: GgufType.F32, value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: GgufType.F32, value: 1e-5 }],
    ['llama.vocab_size', U32(nVocab)],
    ...vocab.metadata,
  ];
  const ts = tensors(specs, o.f32);
  const bytes = await writeGguf(file, metadata, ts);
  return { file, bytes, params: ts.reduce((s, t) => s + tensorElements(t.dims), 0), vocab: nVocab, options: o };
}

export interface WrittenAdapter {
  file: string;
  bytes: number;
  params: number;
  rank: number;
}

/**
 * Writes a LoRA adapter (attn_q, attn_v and output) for the base model written with the same shape
 * options. W += scale·B·A with lora_a ne=[in, r] and lora_b ne=[r, out], as llama-adapter.cpp expects.
 */
export async function writeTestLora(
  file: string,
  rank: number,
  options: TestModelOptions = {},
): Promise<WrittenAdapter> {
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRA rank must be a positive integer, got ${rank}`);
  const o = resolveTestModelOptions(options);
  const nVocab = modelVocab(o).size;
  const kvDim = (o.embd / o.heads) * o.kvHeads;
  const rnd = mulberry32(o.seed + 1);
  const randn = (scale: number) => () => (rnd() * 2 - 1) * scale;
  const specs: Array<[string, number[], (i: number) => number]> = [];
  const lora = (name: string, nIn: number, nOut: number) => {
    specs.push([`${name}.lora_a`, [nIn, rank], randn(1)], [`${name}.lora_b`, [rank, nOut], randn(0.5)]);
  };
  for (let l = 0; l < o.layers; l++) {
    lora(`blk.${l}.attn_q.weight`, o.embd, o.embd);
    lora(`blk.${l}.attn_v.weight`, o.embd, kvDim);
  }
  lora('output.weight', o.embd, nVocab);
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', { type: GgufType.STRING, value: 'llama' }],
    ['general.type', { type: GgufType.STRING, value: 'adapter' }],
    ['general.name', { type: GgufType.STRING, value: `${TEST_MODEL_NAME} LoRA r${rank}` }],
    ['adapter.type', { type: GgufType.STRING, value: 'lora' }],
    ['adapter.lora.alpha', { type: GgufType.F32, value: rank }],
  ];
  const ts = tensors(specs, o.f32);
  const bytes = await writeGguf(file, metadata, ts);
  return { file, bytes, params: ts.reduce((s, t) => s + tensorElements(t.dims), 0), rank };
}
