// A real byte-level BPE vocabulary for test models, built at generation time from the tiktoken rank
// tables that the js-tiktoken package ships (MIT): GPT-2's 50k, cl100k (the vocabulary Llama 3's first
// 100k tokens share) and o200k. llama.cpp's "gpt2" tokenizer wants GPT-2-style token strings (every
// byte mapped to a printable code point) and an explicit merge list, while tiktoken ships only ranks;
// the merges are recovered from the ranks the usual way: BPE on a token's own bytes, allowed only
// merges of lower rank, ends in exactly the two parts that merge into it.
//
// With it a random-weight model tokenizes English like a real model (the same token count as the
// package's own encoder) and carries a real chat template, so prompt sizes, prefix reuse and the chat
// wrapper node-llama-cpp picks are those of real instruct models.

export type BpeTokenizerName = 'gpt2' | 'cl100k' | 'o200k';
export type ChatTemplateName = 'chatml' | 'llama3';
export const BPE_TOKENIZERS: readonly BpeTokenizerName[] = ['gpt2', 'cl100k', 'o200k'];
export const CHAT_TEMPLATES: readonly ChatTemplateName[] = ['chatml', 'llama3'];

/** llama.cpp token types (llama_token_type). */
export const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

interface TiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/** The js-tiktoken rank table of each tokenizer and the llama.cpp pre-tokenizer with the same split regex. */
const SOURCES: Record<BpeTokenizerName, { ranks: string; pre: string }> = {
  gpt2: { ranks: 'gpt2', pre: 'gpt-2' },
  // cl100k's split regex is the one Llama 3 uses (llama.cpp: "llama-bpe").
  cl100k: { ranks: 'cl100k_base', pre: 'llama-bpe' },
  o200k: { ranks: 'o200k_base', pre: 'gpt-4o' },
};

/** Loads a rank table; the package is a development dependency, so say how to get it when it is missing. */
export function loadTiktokenRanks(name: BpeTokenizerName): TiktokenRanks {
  const id = `js-tiktoken/ranks/${SOURCES[name].ranks}`;
  try {
    return require(id) as TiktokenRanks;
  } catch (err) {
    throw new Error(
      `The ${name} tokenizer needs the js-tiktoken package (${id}), a development dependency: run npm install. ` +
        `(${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/** Tokens by rank, each as a latin1 string (one char per byte), from js-tiktoken's compressed table. */
export function tiktokenTokens(ranks: TiktokenRanks): string[] {
  const out: string[] = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offsetText, ...tokens] = line.split(' ');
    const offset = Number.parseInt(offsetText, 10);
    tokens.forEach((b64, i) => {
      out[offset + i] = Buffer.from(b64, 'base64').toString('latin1');
    });
  }
  return out;
}

/** GPT-2's reversible byte → printable code point map (bytes_to_unicode in its encoder). */
export function byteToUnicode(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const map: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(printable(b) ? b : 256 + n++);
  return map;
}

/**
 * The merge that makes each multi-byte token, in rank order: BPE over the token's bytes using only
 * merges of lower rank stops at two parts, and those two parts are the merge.
 */
export function mergesFromRanks(tokens: readonly string[]): Array<[string, string]> {
  const rank = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (t !== undefined) rank.set(t, i);
  });
  const merges: Array<[string, string]> = [];
  for (let r = 0; r < tokens.length; r++) {
    const t = tokens[r];
    if (t === undefined || t.length < 2) continue;
    const parts = [...t];
    for (;;) {
      let best = -1,
        bestRank = r;
      for (let i = 0; i < parts.length - 1; i++) {
        const pr = rank.get(parts[i] + parts[i + 1]);
        if (pr !== undefined && pr < bestRank) {
          bestRank = pr;
          best = i;
        }
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best] + parts[best + 1]);
    }
    if (parts.length === 2) merges.push([parts[0], parts[1]]);
  }
  return merges;
}

export interface BpeVocab {
  tokenizer: BpeTokenizerName;
  chatTemplate: ChatTemplateName;
  /** GPT-2-style token strings, by id. */
  tokens: string[];
  types: number[];
  /** "left right" in priority order, as llama.cpp reads tokenizer.ggml.merges. */
  merges: string[];
  /** llama.cpp's pre-tokenizer name (tokenizer.ggml.pre). */
  pre: string;
  bos: number;
  eos: number;
  addBos: boolean;
  template: string;
}

// Our own Jinja for two common chat formats. node-llama-cpp renders a model's template against sample
// chats and picks the built-in wrapper whose output matches, so these must render exactly those formats.
const CHATML_TEMPLATE =
  "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' " +
  "+ '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";
const LLAMA3_TEMPLATE =
  "{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + " +
  "'<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt " +
  "%}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}";

/** The special tokens each chat format adds after the tokenizer's own, and which are BOS and EOS. */
const CHAT_SPECIALS: Record<ChatTemplateName, { tokens: string[]; bos?: string; eos: string; template: string }> = {
  chatml: { tokens: ['<|im_start|>', '<|im_end|>'], eos: '<|im_end|>', template: CHATML_TEMPLATE },
  llama3: {
    tokens: ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
    bos: '<|begin_of_text|>',
    eos: '<|eot_id|>',
    template: LLAMA3_TEMPLATE,
  },
};

const built = new Map<string, BpeVocab>();

/**
 * The vocabulary of `tokenizer` with the special tokens of `chatTemplate`, padded with reserved control
 * tokens to `size` when given (as real models pad theirs). Built once per process and options.
 */
export function buildBpeVocab(tokenizer: BpeTokenizerName, chatTemplate: ChatTemplateName, size?: number): BpeVocab {
  const key = `${tokenizer}/${chatTemplate}/${size ?? ''}`;
  const cached = built.get(key);
  if (cached) return cached;
  const ranks = loadTiktokenRanks(tokenizer);
  const byRank = tiktokenTokens(ranks);
  const toUnicode = byteToUnicode();
  const encode = (latin1: string) => {
    let s = '';
    for (let i = 0; i < latin1.length; i++) s += toUnicode[latin1.charCodeAt(i)];
    return s;
  };
  const tokens: string[] = [];
  const types: number[] = [];
  byRank.forEach((t, i) => {
    tokens[i] = encode(t);
    types[i] = TOKEN_TYPE.NORMAL;
  });
  for (const [text, id] of Object.entries(ranks.special_tokens)) {
    tokens[id] = text;
    types[id] = TOKEN_TYPE.CONTROL;
  }
  const chat = CHAT_SPECIALS[chatTemplate];
  for (const text of chat.tokens) {
    if (tokens.includes(text)) continue;
    tokens.push(text);
    types.push(TOKEN_TYPE.CONTROL);
  }
  // Gaps in the tokenizer's ids (cl100k skips some) and any padding become reserved control tokens.
  let reserved = 0;
  const reserve = (i: number) => {
    tokens[i] = `<|reserved_special_token_${reserved++}|>`;
    types[i] = TOKEN_TYPE.CONTROL;
  };
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) reserve(i);
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < tokens.length)
      throw new Error(
        `vocab must be an integer of at least ${tokens.length} for the ${tokenizer} tokenizer, got ${size}`,
      );
    while (tokens.length < size) reserve(tokens.length);
  }
  const merges = mergesFromRanks(byRank).map(([a, b]) => `${encode(a)} ${encode(b)}`);
  const id = (text: string) => tokens.indexOf(text);
  const vocab: BpeVocab = {
    tokenizer,
    chatTemplate,
    tokens,
    types,
    merges,
    pre: SOURCES[tokenizer].pre,
    // A template without its own BOS token still gets one: llama.cpp needs an id, and it is never added.
    bos: chat.bos ? id(chat.bos) : id(Object.keys(ranks.special_tokens)[0]),
    eos: id(chat.eos),
    addBos: chat.bos !== undefined,
    template: chat.template,
  };
  built.set(key, vocab);
  return vocab;
}
