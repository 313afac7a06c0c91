// The prompt-state cache's files on their own: keys, checks, LRU and clearing, with made-up state files
// handed to it in place of llama.cpp's. The same cache with a real model is in
// test/process/prompt-cache-and-unload.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  PromptStateCache,
  type PromptStateKey,
  clearPromptCache,
  fileIdentity,
  promptCacheUsage,
  sweepPromptCache,
} from '../../src/core/engine/prompt-cache';

const MiB = 1024 * 1024;

function key(
  context: Partial<PromptStateKey['context']> = {},
  model: Partial<PromptStateKey['model']> = {},
): PromptStateKey {
  return {
    model: {
      path: '/models/m.gguf',
      size: 1000,
      mtimeMs: 1,
      headerSha256: 'a'.repeat(64),
      fingerprint: 'f'.repeat(16),
      ...model,
    },
    adapters: [],
    context: { backend: 'cpu', contextSize: 1024, threads: 1, ...context },
  };
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('prompt-state cache files', () => {
  let dir: string;
  let logs: string[];
  const log = (level: string, message: string) => {
    logs.push(`${level}: ${message}`);
  };
  /** What "llama.cpp" was handed to load, and the state bytes each save wrote. */
  let loaded: string[];
  const written: Array<{ tokens: number[]; state: Buffer }> = [];

  function cache(k = key(), maxBytes = 10 * MiB): PromptStateCache {
    return new PromptStateCache(dir, maxBytes, k, log);
  }
  async function save(c: PromptStateCache, tokens: number[], bytes = 4096): Promise<void> {
    const state = randomBytes(bytes);
    await c.save(tokens, async (file) => {
      await writeFile(file, state);
    });
    await c.flush();
    written.push({ tokens, state });
  }
  /** Restores like the engine does, with a loader that returns the tokens a real state file would hold. */
  function restore(c: PromptStateCache, tokens: number[], above = 0, atMost = tokens.length) {
    return c.restore(tokens, { above, atMost }, async (file) => {
      loaded.push(file);
      const state = readFileSync(file);
      const match = written.find((w) => w.state.equals(state));
      assert.ok(match, 'the loader got bytes no save wrote');
      return match.tokens;
    });
  }
  const files = () => readdirSync(dir).sort();
  const kvFile = () => path.join(dir, files().find((f) => f.endsWith('.kv')) as string);
  const jsonFile = () => path.join(dir, files().find((f) => f.endsWith('.json')) as string);

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-prompt-cache-'));
    logs = [];
    loaded = [];
    written.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves a state with its header, and restores the longest saved prefix of a prompt', async () => {
    const c = cache();
    const prompt = range(100);
    await save(c, prompt.slice(0, 30));
    await save(c, prompt.slice(0, 60));
    await save(c, [...range(59), 999]); // same length, other tokens
    assert.equal(files().length, 6);
    const header = JSON.parse(readFileSync(jsonFile(), 'utf8')) as {
      format: string;
      key: PromptStateKey;
      state: { bytes: number };
    };
    assert.equal(header.format, 'cpt-writer-prompt-state');
    assert.deepEqual(header.key, key());
    assert.equal(header.state.bytes, 4096);
    assert.ok(await c.has(prompt.slice(0, 60)));
    assert.ok(!(await c.has(prompt.slice(0, 61))));

    assert.deepEqual(await restore(c, prompt), { tokens: 60, dirty: false });
    // Nothing longer than what is resident (above), nothing past atMost.
    assert.deepEqual(await restore(c, prompt, 60), { tokens: 0, dirty: false });
    assert.deepEqual(await restore(c, prompt, 0, 59), { tokens: 30, dirty: false });
    assert.deepEqual(await restore(c, range(100, 2)), { tokens: 0, dirty: false });
    assert.equal(loaded.length, 2);
    assert.ok(
      logs.some((l) => /^info: prompt cache: restored 60 prompt tokens/.test(l)),
      logs.join('\n'),
    );
    // Another configuration does not see these entries.
    assert.deepEqual(await restore(cache(key({ contextSize: 2048 })), prompt), { tokens: 0, dirty: false });
  });

  for (const [what, damage, why] of [
    [
      'flipped bytes in the state',
      () => {
        const f = kvFile();
        const b = readFileSync(f);
        for (const i of [10, 2000, 4000]) b[i] ^= 0xff;
        writeFileSync(f, b);
      },
      /checksum \(corrupt\)/,
    ],
    ['a truncated state', () => truncateSync(kvFile(), 1000), /1000 bytes, not 4096 \(truncated/],
    ['an empty state', () => truncateSync(kvFile(), 0), /0 bytes, not 4096/],
    ['a missing state', () => rmSync(kvFile()), /state file is missing/],
    [
      'a flipped byte in the header',
      () => {
        const f = jsonFile();
        const b = readFileSync(f);
        b[5] ^= 0x20;
        writeFileSync(f, b);
      },
      /header is unreadable|not one this version writes/,
    ],
    ['a truncated header', () => truncateSync(jsonFile(), 40), /header is unreadable/],
    [
      'a header that names other tokens',
      () => {
        const f = jsonFile();
        const h = JSON.parse(readFileSync(f, 'utf8')) as { tokens: { sha256: string } };
        h.tokens.sha256 = '0'.repeat(64);
        writeFileSync(f, JSON.stringify(h));
      },
      /other prompt tokens/,
    ],
  ] as const) {
    it(`ignores and removes an entry with ${what}, never loading it`, async () => {
      const c = cache();
      const prompt = range(50);
      await save(c, prompt.slice(0, 40));
      damage();
      assert.deepEqual(await restore(c, prompt), { tokens: 0, dirty: false });
      assert.deepEqual(loaded, []);
      assert.deepEqual(files(), []);
      const line = logs.find((l) => l.startsWith('warn: prompt cache: ignored and removed'));
      assert.ok(line && why.test(line), logs.join('\n'));
    });
  }

  it('removes an entry saved under other settings but found under this key, saying which setting differs', async () => {
    const prompt = range(50);
    const small = cache(key({ contextSize: 1024 }));
    await save(small, prompt.slice(0, 40));
    const big = cache(key({ contextSize: 2048 }));
    await save(big, prompt.slice(0, 40));
    // Put the 1024-token context's files where the 2048-token one looks.
    const names = files();
    const bigName = names.find(
      (f) => f.endsWith('.json') && !readFileSync(path.join(dir, f), 'utf8').includes('"contextSize":1024'),
    ) as string;
    const smallName = names.find((f) => f.endsWith('.json') && f !== bigName) as string;
    for (const ext of ['.json', '.kv']) {
      writeFileSync(
        path.join(dir, bigName.replace('.json', ext)),
        readFileSync(path.join(dir, smallName.replace('.json', ext))),
      );
    }
    assert.deepEqual(await restore(big, prompt), { tokens: 0, dirty: false });
    assert.deepEqual(loaded, []);
    assert.ok(
      logs.some((l) => l.includes('saved for other settings (contextSize 1024, now 2048)')),
      logs.join('\n'),
    );
    assert.deepEqual(
      files(),
      [smallName, smallName.replace('.json', '.kv')].sort(),
      'the 1024-token entry itself stays',
    );
    assert.deepEqual(await restore(small, prompt), { tokens: 40, dirty: false });
  });

  it(
    'removes the entries of an earlier version of the same model file, and keeps those of other settings ' +
      'and files',
    async () => {
      const prompt = range(50);
      await save(cache(), prompt.slice(0, 20));
      await save(cache(key({ contextSize: 2048 })), prompt.slice(0, 20));
      await save(cache(key({}, { path: '/models/other.gguf' })), prompt.slice(0, 20));
      assert.equal(files().length, 6);
      const changed = cache(key({}, { mtimeMs: 2 }));
      await changed.removeStale();
      assert.equal(files().length, 2);
      assert.ok(
        logs.some((l) => l.includes('removed 2 saved prompt state(s) of /models/m.gguf: the model file changed')),
        logs.join('\n'),
      );
      assert.deepEqual(await restore(cache(key({}, { path: '/models/other.gguf' })), prompt), {
        tokens: 20,
        dirty: false,
      });
    },
  );

  it('treats a failed load or a file replaced during the load as a dirty sequence', async () => {
    const c = cache();
    const prompt = range(50);
    await save(c, prompt.slice(0, 40));
    const r = await c.restore(prompt, { above: 0, atMost: 50 }, async () => {
      throw new Error('llama.cpp said no');
    });
    assert.deepEqual(r, { tokens: 0, dirty: true });
    assert.deepEqual(files(), []);
    assert.ok(logs.some((l) => l.includes('llama.cpp could not load it (llama.cpp said no)')));

    await save(c, prompt.slice(0, 40));
    const replaced = await c.restore(prompt, { above: 0, atMost: 50 }, async (file) => {
      writeFileSync(`${file}.new`, randomBytes(4096));
      rmSync(file);
      writeFileSync(file, readFileSync(`${file}.new`));
      rmSync(`${file}.new`);
      return prompt.slice(0, 40);
    });
    assert.deepEqual(replaced, { tokens: 0, dirty: true });

    rmSync(dir, { recursive: true, force: true });
    await save(c, prompt.slice(0, 40));
    const wrongTokens = await c.restore(prompt, { above: 0, atMost: 50 }, async () => prompt.slice(1, 41));
    assert.deepEqual(wrongTokens, { tokens: 0, dirty: true });
    assert.deepEqual(files(), []);
  });

  it('holds its size cap, evicting the least recently used entries first', async () => {
    const entry = 100 * 1024;
    const cap = 3 * entry + 3 * 2048; // three entries: each is its state plus a header of a few hundred bytes
    const c = cache(key(), cap);
    // Prompts of different lengths, so each entry's name (it holds the token count) says which it is.
    const prompts = [20, 21, 22, 23, 24].map((n) => range(n, n * 100));
    const header = (n: number) =>
      path.join(dir, files().find((f) => f.endsWith('.json') && f.includes(`-${n}-`)) as string);
    const kept = () =>
      files()
        .filter((f) => f.endsWith('.json'))
        .map((f) => Number(f.split('-')[3]))
        .sort();
    const now = Date.now() / 1000;
    for (const [i, p] of prompts.slice(0, 3).entries()) {
      await save(c, p, entry);
      utimesSync(header(p.length), now - 50 + i * 10, now - 50 + i * 10);
    }
    assert.deepEqual(kept(), [20, 21, 22]);
    // Using the oldest makes it the most recently used.
    assert.equal((await restore(c, prompts[0])).tokens, 20);
    await save(c, prompts[3], entry);
    assert.deepEqual(kept(), [20, 22, 23]);
    await save(c, prompts[4], entry);
    assert.deepEqual(kept(), [20, 23, 24]);
    const usage = await promptCacheUsage(dir);
    assert.equal(usage.entries, 3);
    assert.ok(usage.bytes <= cap, `${usage.bytes} > ${cap}`);
    assert.equal(files().length, 6);
    // A state bigger than the whole cap is not kept, and evicts nothing.
    await save(c, range(30), 4 * entry);
    assert.deepEqual(kept(), [20, 23, 24]);
    assert.ok(
      logs.some((l) => /larger than the cache's cap/.test(l)),
      logs.join('\n'),
    );
  });

  it('sweeps leftovers of killed processes: old temporary files and half entries, not fresh ones', async () => {
    const c = cache();
    await save(c, range(20));
    const kv = kvFile();
    const old = Date.now() / 1000 - 3600;
    writeFileSync(`${kv}.tmp-123-abcd`, 'partial');
    utimesSync(`${kv}.tmp-123-abcd`, old, old);
    writeFileSync(`${kv}.tmp-124-beef`, 'a save in progress');
    const half = kv.replace(/-20-[0-9a-f]+\.kv$/, '-21-0123456789abcdef.kv');
    writeFileSync(half, 'a state whose header never came');
    utimesSync(half, old, old);
    const fresh = kv.replace(/-20-[0-9a-f]+\.kv$/, '-22-0123456789abcdef.kv');
    writeFileSync(fresh, 'a state whose header is about to come');
    writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    await sweepPromptCache(dir, 10 * MiB);
    assert.ok(!existsSync(`${kv}.tmp-123-abcd`));
    assert.ok(existsSync(`${kv}.tmp-124-beef`));
    assert.ok(!existsSync(half));
    assert.ok(existsSync(fresh));
    assert.ok(existsSync(kv));
    assert.ok(existsSync(path.join(dir, 'notes.txt')));
  });

  it('says once when it cannot save (the folder cannot be made), and then stops trying', async () => {
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const c = new PromptStateCache(path.join(blocker, 'cache'), 10 * MiB, key(), log);
    let writes = 0;
    for (const n of [20, 30])
      await c.save(range(n), async (file) => {
        writes++;
        await writeFile(file, 'x');
      });
    await c.flush();
    assert.equal(writes, 0);
    assert.equal(logs.filter((l) => l.startsWith('warn: prompt cache: could not save')).length, 1, logs.join('\n'));
    assert.deepEqual(await c.restore(range(40), { above: 0, atMost: 40 }, async () => assert.fail('nothing to load')), {
      tokens: 0,
      dirty: false,
    });
  });

  it('clears only its own files, and says how much it freed', async () => {
    const c = cache();
    await save(c, range(20), 1000);
    await save(c, range(30), 2000);
    writeFileSync(`${kvFile()}.tmp-1-ab`, 'x');
    writeFileSync(path.join(dir, 'keep-me.kv'), 'not a cache entry name');
    const usage = await clearPromptCache(dir);
    assert.equal(usage.entries, 2);
    assert.ok(usage.bytes >= 3000 && usage.bytes < 3000 + 4096, String(usage.bytes));
    assert.deepEqual(files(), ['keep-me.kv']);
    assert.deepEqual(await promptCacheUsage(dir), { entries: 0, bytes: 0 });
    assert.deepEqual(await clearPromptCache(path.join(dir, 'missing')), { entries: 0, bytes: 0 });
  });

  it('tells files apart by size, time and header bytes', async () => {
    const f = path.join(dir, 'model.gguf');
    const t = 1_700_000_000;
    writeFileSync(f, Buffer.concat([Buffer.from('GGUF header one'), Buffer.alloc(100)]));
    utimesSync(f, t, t);
    const a = await fileIdentity(f, 15);
    assert.equal(a.path, f);
    assert.equal(a.size, 115);
    writeFileSync(f, Buffer.concat([Buffer.from('GGUF header two'), Buffer.alloc(100)]));
    utimesSync(f, t, t);
    const b = await fileIdentity(f, 15);
    assert.equal(b.mtimeMs, a.mtimeMs);
    assert.notEqual(b.headerSha256, a.headerSha256);
    // Bytes past the header do not count.
    writeFileSync(f, Buffer.concat([Buffer.from('GGUF header two'), Buffer.alloc(100, 1)]));
    utimesSync(f, t, t);
    assert.equal((await fileIdentity(f, 15)).headerSha256, b.headerSha256);
  });
});
