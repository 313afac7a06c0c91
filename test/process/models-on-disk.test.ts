// The models-on-disk list (core/models) and `cpt-writer models`, on fixture layouts of every source built
// in a temporary HOME: what is offered, what is left out, and each bad file reported by name.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  fileTypeName,
  findLocalModels,
  llamaCppCache,
  huggingFaceHubCache,
  ollamaName,
  quantizationFromName,
} from '../../src/core/models';
import { buildModelStores, SOURCE_ENV_CLEARED, writeTinyGguf, type ModelStores } from '../fixtures/model-stores/build';
import { CLI_MAIN, runNode } from '../unit/helpers/run-node';

describe('models on disk', function () {
  this.timeout(60_000);
  let dir: string;
  let stores: ModelStores;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpt-models-'));
    stores = await buildModelStores(path.join(dir, 'home'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const scanHome = () =>
    findLocalModels({ home: stores.home, env: {}, platform: 'linux', modelsDirectory: stores.modelsDirectory });

  it('lists every source with name, source, quantization, size and the path to use in place', async () => {
    const scan = await scanHome();
    const got = Object.fromEntries(
      scan.models.map((m) => [m.name, { source: m.source, path: m.path, quantization: m.quantization }]),
    );
    assert.deepEqual(got, stores.expected);
    for (const m of scan.models) {
      assert.equal(m.sizeBytes, (await fs.stat(m.path)).size, m.name);
      assert.ok(m.sizeBytes > 0);
    }
    // Listed in source order: the models folder, Ollama, LM Studio, the hub cache, llama.cpp.
    assert.deepEqual(
      [...new Set(scan.models.map((m) => m.source))],
      ['models-directory', 'ollama', 'lm-studio', 'huggingface', 'llama.cpp'],
    );
    assert.equal(scan.models.find((m) => m.source === 'lm-studio')?.sourceLabel, 'LM Studio');
  });

  it('leaves out vision projectors and LoRA adapters, whatever their file name says', async () => {
    const scan = await scanHome();
    for (const f of stores.notModels) {
      assert.ok(!scan.models.some((m) => m.path === f), `${f} was offered as a model`);
      assert.ok(!scan.problems.some((p) => p.path === f), `${f} was reported as a problem`);
    }
  });

  it('reports a manifest naming a missing blob and a truncated GGUF by name, and lists the rest', async () => {
    const scan = await scanHome();
    const missing = scan.problems.find((p) => p.path === stores.missingBlobManifest);
    assert.ok(missing, JSON.stringify(scan.problems));
    assert.equal(missing.source, 'ollama');
    assert.match(
      missing.message,
      /Ollama model gone:latest: the manifest names the model blob .*sha256-0{64}, which is missing/,
    );
    assert.match(missing.message, /ollama pull gone:latest/);
    const cut = scan.problems.find((p) => p.path === stores.truncated);
    assert.ok(cut, JSON.stringify(scan.problems));
    assert.match(cut.message, /^owner\/Tiny-GGUF\/tiny-Q8_0\.gguf: .*runs past the end of the file.*truncated/);
    assert.equal(scan.problems.length, 2, JSON.stringify(scan.problems));
  });

  it('skips an absent source silently and reports one that is not a folder', async () => {
    const empty = path.join(dir, 'empty-home');
    await fs.mkdir(empty, { recursive: true });
    const quiet = await findLocalModels({ home: empty, env: {}, platform: 'linux' });
    assert.deepEqual(quiet.models, []);
    assert.deepEqual(quiet.problems, []);
    assert.ok(quiet.roots.every((r) => r.state === 'absent'));

    const notAFolder = path.join(dir, 'ollama-file');
    await fs.writeFile(notAFolder, 'x');
    const warned: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, error() {}, warn: (m: string) => warned.push(m) };
    const scan = await findLocalModels({ home: empty, env: { OLLAMA_MODELS: notAFolder }, platform: 'linux', logger });
    assert.deepEqual(scan.problems, [{ source: 'ollama', path: notAFolder, message: 'is not a folder' }]);
    assert.match(warned.join('\n'), /Ollama.*ollama-file: is not a folder/);
  });

  it('follows OLLAMA_MODELS, HF_HOME and LLAMA_CACHE', async () => {
    const h = stores.home;
    const scan = await findLocalModels({
      home: path.join(dir, 'nowhere'),
      env: {
        OLLAMA_MODELS: path.join(h, '.ollama', 'models'),
        HF_HOME: path.join(h, '.cache', 'huggingface'),
        LLAMA_CACHE: path.join(h, '.cache', 'llama.cpp'),
      },
      platform: 'linux',
    });
    assert.deepEqual(scan.models.map((m) => m.name).sort(), [
      'owner/Tiny-GGUF/tiny-Q5_K_M.gguf',
      'owner_Tiny-GGUF_tiny-IQ4_XS.gguf',
      'someone/styler:latest',
      'tiny:q4',
    ]);
  });

  it('stops a walk at its entry limit with a problem instead of walking a huge tree', async () => {
    const scan = await findLocalModels({
      home: stores.home,
      env: {},
      platform: 'linux',
      limits: { maxEntries: 3 },
    });
    assert.ok(
      scan.problems.some((p) => /stopped after looking at 3 entries/.test(p.message)),
      JSON.stringify(scan.problems),
    );
  });

  it('lists one file reached through two sources once', async () => {
    const linked = path.join(dir, 'linked-models');
    await fs.mkdir(linked, { recursive: true });
    await fs.symlink(stores.expected['owner_Tiny-GGUF_tiny-IQ4_XS.gguf'].path, path.join(linked, 'same.gguf'));
    const scan = await findLocalModels({ home: stores.home, env: {}, platform: 'linux', modelsDirectory: linked });
    assert.deepEqual(
      scan.models.filter((m) => m.name === 'same.gguf' || m.source === 'llama.cpp').map((m) => m.name),
      ['same.gguf'],
    );
  });

  it('names quantizations from the header or the file name, and the platform caches', async () => {
    assert.equal(fileTypeName(15), 'Q4_K_M');
    assert.equal(fileTypeName(15 | 1024), 'Q4_K_M');
    assert.equal(fileTypeName(4), undefined);
    assert.equal(quantizationFromName('Qwen2.5-3B-Instruct-q4_k_m.gguf'), 'Q4_K_M');
    assert.equal(quantizationFromName('model-IQ3_XXS-00001-of-00002.gguf'), 'IQ3_XXS');
    assert.equal(quantizationFromName('gemma-2-2b-it.f16.gguf'), 'F16');
    assert.equal(quantizationFromName('plain.gguf'), undefined);
    const e = { env: {}, home: '/h' };
    assert.equal(llamaCppCache({ ...e, platform: 'darwin' }), path.join('/h', 'Library', 'Caches', 'llama.cpp'));
    assert.equal(llamaCppCache({ ...e, platform: 'linux' }), path.join('/h', '.cache', 'llama.cpp'));
    assert.equal(
      llamaCppCache({ env: { LOCALAPPDATA: '/w' }, home: '/h', platform: 'win32' }),
      path.join('/w', 'llama.cpp'),
    );
    assert.equal(huggingFaceHubCache({ ...e, platform: 'linux' }), path.join('/h', '.cache', 'huggingface', 'hub'));
    assert.equal(huggingFaceHubCache({ env: { HF_HUB_CACHE: '/c' }, home: '/h', platform: 'linux' }), '/c');
    const m = path.join('/o', 'manifests');
    assert.equal(ollamaName(m, path.join(m, 'registry.ollama.ai', 'library', 'llama3.2', '3b')), 'llama3.2:3b');
    assert.equal(
      ollamaName(m, path.join(m, 'hf.co', 'bartowski', 'X-GGUF', 'Q4_K_M')),
      'hf.co/bartowski/X-GGUF:Q4_K_M',
    );
  });

  it('a manifest that is not JSON or has no model layer is a problem naming it', async () => {
    const home = path.join(dir, 'bad-ollama');
    const m = path.join(home, '.ollama', 'models', 'manifests', 'registry.ollama.ai', 'library');
    await fs.mkdir(path.join(m, 'a'), { recursive: true });
    await fs.mkdir(path.join(m, 'b'), { recursive: true });
    await fs.writeFile(path.join(m, 'a', 'latest'), '{"layers": [');
    await fs.writeFile(path.join(m, 'b', 'latest'), JSON.stringify({ layers: [{ mediaType: 'x', digest: 'y' }] }));
    const scan = await findLocalModels({ home, env: {}, platform: 'linux' });
    assert.deepEqual(
      scan.problems.map((p) => [path.relative(m, p.path), p.message.replace(/\(.*\)/, '(…)')]),
      [
        [path.join('a', 'latest'), 'Ollama model a:latest: the manifest is not valid JSON (…)'],
        [path.join('b', 'latest'), 'Ollama model b:latest: it has no application/vnd.ollama.image.model layer'],
      ],
    );
  });

  it('cpt-writer models prints a table and --json the same scan; problems go to stderr, exit 0', async () => {
    const env = { ...SOURCE_ENV_CLEARED, HOME: stores.home, USERPROFILE: stores.home };
    const args = ['models', '--models-dir', stores.modelsDirectory];
    const text = await runNode(CLI_MAIN, args, { env });
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, Object.keys(stores.expected).length);
    const ollamaLine = lines.find((l) => l.startsWith('tiny:q4 '));
    assert.ok(ollamaLine, text.stdout);
    assert.match(ollamaLine, /^tiny:q4\s+Ollama\s+Q4_K_M\s+\d+(\.\d)? (B|KB)\s+\S+sha256-[0-9a-f]{64}$/);
    assert.match(text.stderr, /gone:latest: the manifest names the model blob/);
    assert.match(text.stderr, /tiny-Q8_0\.gguf: .*truncated/);

    const json = await runNode(CLI_MAIN, [...args, '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    const scan = JSON.parse(json.stdout) as Awaited<ReturnType<typeof findLocalModels>>;
    assert.deepEqual(
      Object.fromEntries(
        scan.models.map((m) => [m.name, { source: m.source, path: m.path, quantization: m.quantization }]),
      ),
      stores.expected,
    );
    assert.equal(scan.problems.length, 2);
  });

  it('cpt-writer models with nothing on disk says where it looked', async () => {
    const home = path.join(dir, 'bare');
    await fs.mkdir(home, { recursive: true });
    const r = await runNode(CLI_MAIN, ['models'], { env: { ...SOURCE_ENV_CLEARED, HOME: home } });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no GGUF models found \(looked in .*\.ollama/);
  });

  it('reads general.file_type written after the tokenizer arrays', async () => {
    const f = path.join(dir, 'late-ftype.gguf');
    await writeTinyGguf(f, { name: 'late', fileType: 14 });
    const scan = await findLocalModels({
      home: path.join(dir, 'none'),
      env: {},
      platform: 'linux',
      modelsDirectory: dir,
    });
    assert.equal(scan.models.find((m) => m.path === f)?.quantization, 'Q4_K_S');
  });
});
