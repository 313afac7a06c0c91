// Install CUDA Backend… / Remove CUDA Backend in the real VS Code, against a loopback npm registry the
// test starts (no network): a registry that cannot be reached fails with a clear message and installs
// nothing; a cancel leaves nothing behind; an install is verified and handed to the next engine start; a
// damaged install is not used; remove frees it. The package served is node-llama-cpp's own CUDA package
// from node_modules, less its large GPU library (test/unit/helpers/npm-registry.ts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { BACKENDS_DIR_ENV, nodeLlamaCppVersion, verifyInstalledBackends } from '../../src/core/engine/backends';
import type { CptWriterTestApi } from '../../src/vscode/api';
import type { InstallCudaResult } from '../../src/vscode/model/cuda-backend';
import { type Registry, packBackendPackage, startRegistry } from '../unit/helpers/npm-registry';
import { getApi } from './helpers';

const NAME = 'linux-x64-cuda';

describe('Install / Remove CUDA Backend', function () {
  this.timeout(120_000);
  let api: CptWriterTestApi;
  let work: string;
  let registry: Registry;

  before(async function () {
    api = await getApi();
    // node-llama-cpp has CUDA builds for Linux and Windows on x64 only; the project's tests run on Linux x64.
    assert.strictEqual(
      `${process.platform}-${process.arch}`,
      'linux-x64',
      'these tests serve the linux-x64 CUDA package',
    );
    assert.strictEqual(api.testing.services.cuda.supported, true);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-cuda-cmd-'));
    const tgz = await packBackendPackage(NAME, path.join(work, 'pack'));
    registry = await startRegistry(fs.readFileSync(tgz), nodeLlamaCppVersion(), NAME);
  });
  after(async () => {
    api.testing.services.cuda.registry = undefined;
    await vscode.commands.executeCommand('cptWriter.removeCudaBackend');
    await registry?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const installed = async () =>
    (await verifyInstalledBackends(api.testing.services.cuda.dir)).packages.map((p) => p.name);

  it('a registry that cannot be reached fails with a clear message and installs nothing', async () => {
    api.testing.services.cuda.registry = 'http://127.0.0.1:9/';
    const from = api.testing.messages().length;
    const result = await vscode.commands.executeCommand<InstallCudaResult>('cptWriter.installCudaBackend', {
      withCuda12Fallback: false,
    });
    assert.strictEqual(result, 'failed');
    const error = api.testing
      .messages()
      .slice(from)
      .find((m) => m.severity === 'error');
    assert.ok(
      error && /could not install the CUDA backend/.test(error.message) && /Nothing was installed/.test(error.message),
      JSON.stringify(error),
    );
    assert.deepStrictEqual(await installed(), []);
    assert.deepStrictEqual(await api.testing.services.cuda.engineEnv(), {});
  });

  it('a cancel during the download leaves nothing installed', async () => {
    api.testing.services.cuda.registry = registry.url;
    registry.slow = true;
    const abort = new AbortController();
    const running = vscode.commands.executeCommand<InstallCudaResult>('cptWriter.installCudaBackend', {
      withCuda12Fallback: false,
      signal: abort.signal,
    });
    const t0 = Date.now();
    while (!registry.requests.some((r) => r.startsWith('/tarballs/')) && Date.now() - t0 < 20_000)
      await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    assert.strictEqual(await running, 'cancelled');
    registry.slow = false;
    assert.deepStrictEqual(await installed(), []);
  });

  it(
    'installs, verifies and hands the folder to the next engine start; a damaged install is not used; ' +
      'remove frees it',
    async () => {
      api.testing.services.cuda.registry = registry.url;
      const from = api.testing.messages().length;
      assert.strictEqual(
        await vscode.commands.executeCommand<InstallCudaResult>('cptWriter.installCudaBackend', {
          withCuda12Fallback: false,
        }),
        'installed',
      );
      assert.deepStrictEqual(await installed(), [`@node-llama-cpp/${NAME}`]);
      const cuda = api.testing.services.cuda;
      assert.strictEqual((await cuda.engineEnv())[BACKENDS_DIR_ENV], cuda.dir);
      assert.strictEqual((await api.testing.services.models.engineOptions()).env?.[BACKENDS_DIR_ENV], cuda.dir);
      assert.ok(
        api.testing
          .messages()
          .slice(from)
          .some((m) => m.severity === 'info' && /installed and verified/.test(m.message)),
      );

      // A file that changed size since the install: the engine is started without the folder.
      const addon = path.join(cuda.dir, 'node_modules', '@node-llama-cpp', NAME, 'bins', NAME, 'llama-addon.node');
      fs.truncateSync(addon, 100);
      assert.deepStrictEqual(await cuda.engineEnv(), {});

      const removed = await vscode.commands.executeCommand<number>('cptWriter.removeCudaBackend');
      assert.ok(typeof removed === 'number' && removed > 0, String(removed));
      assert.deepStrictEqual(await installed(), []);
      assert.ok(!fs.existsSync(addon));
      const again = api.testing.messages().length;
      assert.strictEqual(await vscode.commands.executeCommand<number>('cptWriter.removeCudaBackend'), 0);
      assert.ok(
        api.testing
          .messages()
          .slice(again)
          .some((m) => /no CUDA backend is installed/.test(m.message)),
      );
    },
  );
});
