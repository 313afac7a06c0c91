// Model specs as typed: file: URLs decoded once for every caller, plain http: refused with the same words
// everywhere, and the optional #sha256= pin.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineError, parseModelSpec } from '../../src/core/engine';
import {
  filePathFromUrl,
  localPath,
  modelSpecProblem,
  plainHttpRefusal,
  splitSha256,
  withSha256,
} from '../../src/core/engine/model-spec';
import { loraArg } from '../../src/cli/engine-args';

const HASH = 'ab'.repeat(32);

function throwsCode(fn: () => unknown, code: EngineError['code'], re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof EngineError && e.code === code && re.test(e.message));
}

describe('model specs', () => {
  describe('file: URLs', () => {
    it('decodes percent-escapes: spaces, non-ASCII and %23 name the right file', () => {
      const file = path.join(path.sep, 'tmp', 'my models', 'naïve ✓ #1 100%.gguf');
      const url = pathToFileURL(file).href;
      assert.match(url, /%20.*%C3%AF.*%E2%9C%93.*%23.*%25/);
      assert.deepEqual(parseModelSpec(url), { kind: 'file', path: file });
      assert.equal(filePathFromUrl(url), file);
      assert.equal(localPath(url), file);
      assert.deepEqual(parseModelSpec('file:///tmp/a%20b.gguf'), { kind: 'file', path: '/tmp/a b.gguf' });
    });

    it('refuses a file: URL naming another host, or an encoded slash, with a clear error', () => {
      throwsCode(() => parseModelSpec('file://server/share/m.gguf'), 'MODEL_NOT_FOUND', /file: URL.*server/);
      throwsCode(() => parseModelSpec('file:///tmp/a%2Fb.gguf'), 'MODEL_NOT_FOUND', /file: URL/);
    });

    it('LoRA adapters given on the command line as file: URLs go through the same decoding', () => {
      const file = path.join(path.sep, 'tmp', 'adapters', 'style #2.gguf');
      const url = pathToFileURL(file).href;
      assert.deepEqual(loraArg(url), { path: file, scale: 1 });
      assert.deepEqual(loraArg(`${url}:0.5`), { path: file, scale: 0.5 });
    });
  });

  describe('downloads: https: and hf: only', () => {
    it('refuses plain http: with a message that names https, and the input check gives the same words', () => {
      const url = 'http://models.example/m.gguf';
      throwsCode(() => parseModelSpec(url), 'DOWNLOAD_FAILED', /https:\/\//);
      assert.equal(modelSpecProblem(url), plainHttpRefusal(url));
      assert.match(modelSpecProblem('HTTP://user:secret@h/m.gguf') ?? '', /^Plain http: downloads are refused/);
      assert.doesNotMatch(modelSpecProblem('http://user:secret@h/m.gguf') ?? '', /secret/);
    });

    it('refuses other URL schemes, accepts https: and hf:', () => {
      throwsCode(() => parseModelSpec('ftp://h/m.gguf'), 'DOWNLOAD_FAILED', /https: or from hf:.*ftp:/);
      assert.equal(modelSpecProblem('https://h/m.gguf'), undefined);
      assert.equal(modelSpecProblem('hf:owner/repo:Q4_K_M'), undefined);
    });
  });

  describe('#sha256= pins', () => {
    it('splits the pin off every kind of spec, lower-cased; hf: keeps its own #branch', () => {
      assert.deepEqual(parseModelSpec(`https://h/d/m.gguf#sha256=${HASH.toUpperCase()}`), {
        kind: 'url',
        url: 'https://h/d/m.gguf',
        fileName: 'm.gguf',
        sha256: HASH,
      });
      assert.deepEqual(parseModelSpec(`hf:o/r/m.gguf#dev#sha256=${HASH}`), {
        kind: 'hf',
        uri: 'hf:o/r/m.gguf#dev',
        sha256: HASH,
      });
      assert.deepEqual(parseModelSpec(`/abs/m.gguf#sha256=${HASH}`), {
        kind: 'file',
        path: '/abs/m.gguf',
        sha256: HASH,
      });
      assert.deepEqual(parseModelSpec(`${pathToFileURL('/abs/a b.gguf').href}#sha256=${HASH}`), {
        kind: 'file',
        path: '/abs/a b.gguf',
        sha256: HASH,
      });
      assert.deepEqual(splitSha256(withSha256('hf:o/r:Q4_K_M', HASH)), { spec: 'hf:o/r:Q4_K_M', sha256: HASH });
      assert.equal(withSha256('hf:o/r:Q4_K_M', undefined), 'hf:o/r:Q4_K_M');
    });

    it('refuses a malformed pin, saying what it must be', () => {
      throwsCode(
        () => parseModelSpec('https://h/m.gguf#sha256=abc'),
        'MODEL_NOT_FOUND',
        /64 hexadecimal digits, got "abc"/,
      );
      assert.match(modelSpecProblem(`hf:o/r:Q4_K_M#sha256=${'g'.repeat(64)}`) ?? '', /64 hexadecimal/);
    });
  });
});
