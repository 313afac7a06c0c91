// Installing node-llama-cpp's CUDA package into a folder outside node_modules (core/engine/backends):
// served by a loopback npm registry the test starts (no network), checked against its integrity,
// verified, removed, and picked up by node-llama-cpp's own prebuilt-binary lookup through the engine
// process's resolution hook. The tarball is built here from the installed package's own manifest, entry
// module, build metadata and addon (not its 150 MB CUDA library, which the lookup never opens).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type BackendInstallProgress,
  BACKENDS_DIR_ENV,
  INSTALL_RECORD,
  installCudaBackend,
  installedBackendPackages,
  nodeLlamaCppVersion,
  removeInstalledBackends,
  verifyInstalledBackends,
} from '../../src/core/engine/backends';
import { spawnSync } from 'node:child_process';
import { type Registry, packBackendPackage, startRegistry } from './helpers/npm-registry';

const NAME = 'linux-x64-cuda';
const FULL = `@node-llama-cpp/${NAME}`;
const root = path.resolve(__dirname, '..', '..', '..');
const nlcDir = path.join(root, 'node_modules', 'node-llama-cpp');

/**
 * Where node-llama-cpp's own lookup finds the CUDA prebuilt, in a fresh engine-like process with
 * $CPT_WRITER_BACKENDS_DIR.
 */
async function lookupInFreshProcess(
  dir: string | undefined,
  work: string,
): Promise<{ used: string[]; binaryPath: string | null; binsDir: string | null }> {
  const script = path.join(work, 'lookup.mjs');
  writeFileSync(
    script,
    `
    import { createRequire } from 'node:module';
    import { pathToFileURL } from 'node:url';
    const require = createRequire(${JSON.stringify(path.join(root, 'package.json'))});
    const { registerBackendsFromEnv } = require(
      ${JSON.stringify(path.join(root, 'out', 'src', 'core', 'engine', 'backends', 'index.js'))});
    const used = [];
    registerBackendsFromEnv((level, m) => used.push(level + ': ' + m));
    // node-llama-cpp's own lookup of a prebuilt binary package (the one getLlama uses).
    const c = await import(
      pathToFileURL(${JSON.stringify(path.join(nlcDir, 'dist', 'bindings', 'utils', 'compileLLamaCpp.js'))}).href);
    const found = await c.getPrebuiltBinaryPath(
      { platform: 'linux', arch: 'x64', gpu: 'cuda', customCmakeOptions: new Map() }, ${JSON.stringify(NAME)});
    let binsDir = null;
    try { binsDir = (await import(${JSON.stringify(FULL)})).getBinsDir().binsDir; } catch {}
    process.stdout.write(JSON.stringify({ used, binaryPath: found?.binaryPath ?? null, binsDir }));
  `,
  );
  const env = { ...process.env };
  delete env[BACKENDS_DIR_ENV];
  if (dir) env[BACKENDS_DIR_ENV] = dir;
  const r = spawnSync(process.execPath, [script], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { used: string[]; binaryPath: string | null; binsDir: string | null };
}

describe('CUDA backend install into the extension storage', function () {
  this.timeout(120_000);
  let work: string;
  let dir: string;
  let registry: Registry;
  const version = nodeLlamaCppVersion();

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-backends-'));
    dir = path.join(work, 'storage');
    const tgz = await packBackendPackage(NAME, path.join(work, 'pack'));
    registry = await startRegistry(readFileSync(tgz), version, NAME);
  });
  after(async () => {
    await registry?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const leftovers = () => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.backend-install-')) : []);

  it(
    'installs with progress, verifies, and node-llama-cpp finds the binary there instead of in ' + 'node_modules',
    async () => {
      const before = await lookupInFreshProcess(undefined, work);
      assert.ok(!before.binaryPath?.startsWith(dir), 'nothing is taken from the storage folder before the install');

      const progress: BackendInstallProgress[] = [];
      const installed = await installCudaBackend({
        dir,
        version,
        registry: registry.url,
        packages: [NAME],
        onProgress: (p) => progress.push(p),
      });
      assert.equal(installed.length, 1);
      assert.equal(installed[0].name, FULL);
      assert.equal(installed[0].dir, path.join(dir, 'node_modules', '@node-llama-cpp', NAME));
      assert.deepEqual(
        [...new Set(progress.map((p) => p.phase))],
        ['metadata', 'download', 'verify', 'unpack', 'done'],
      );
      assert.ok(
        progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction),
        'progress only moves forward',
      );
      assert.equal(progress.at(-1)?.fraction, 1);
      assert.deepEqual(leftovers(), []);
      assert.ok(existsSync(path.join(installed[0].dir, INSTALL_RECORD)));

      const check = await verifyInstalledBackends(dir, { full: true, version });
      assert.ok(check.ok, JSON.stringify(check));
      assert.deepEqual([...installedBackendPackages(dir, version).keys()], [FULL]);
      assert.equal(
        installedBackendPackages(dir, '0.0.1').size,
        0,
        'a package for another node-llama-cpp version is never used',
      );

      const after = await lookupInFreshProcess(dir, work);
      assert.deepEqual(after.used, [`info: backend package ${FULL} from ${installed[0].dir}`]);
      assert.equal(after.binaryPath, path.join(installed[0].dir, 'bins', NAME, 'llama-addon.node'));
      assert.equal(after.binsDir, path.join(installed[0].dir, 'bins'));
    },
  );

  it('reports a changed or missing file, and an incomplete install is never picked up', async () => {
    const pkgDir = path.join(dir, 'node_modules', '@node-llama-cpp', NAME);
    const meta = path.join(pkgDir, 'bins', NAME, '_nlcBuildMetadata.json');
    const original = readFileSync(meta);
    const flipped = Buffer.from(original);
    flipped[10] ^= 0x01;
    writeFileSync(meta, flipped);
    const changed = await verifyInstalledBackends(dir, { full: true });
    assert.equal(changed.ok, false);
    assert.deepEqual(changed.packages[0].problems, [
      `bins/${NAME}/_nlcBuildMetadata.json has changed since it was installed`,
    ]);
    assert.ok((await verifyInstalledBackends(dir)).ok, 'the quick check compares sizes only');
    writeFileSync(meta, original);
    rmSync(path.join(pkgDir, 'dist', 'index.js'));
    assert.deepEqual((await verifyInstalledBackends(dir)).packages[0].problems, ['dist/index.js is missing']);
    rmSync(path.join(pkgDir, INSTALL_RECORD));
    assert.equal((await verifyInstalledBackends(dir)).ok, false);
    assert.equal(installedBackendPackages(dir, version).size, 0);
  });

  it('removes what it installed, and node-llama-cpp goes back to its own packages', async () => {
    await installCudaBackend({ dir, version, registry: registry.url, packages: [NAME] });
    const freed = await removeInstalledBackends(dir);
    assert.ok(freed > 0);
    assert.deepEqual(readdirSync(path.join(dir, 'node_modules', '@node-llama-cpp')), []);
    assert.equal((await verifyInstalledBackends(dir)).ok, false);
    const after = await lookupInFreshProcess(dir, work);
    assert.deepEqual(after.used, []);
    assert.ok(!after.binaryPath?.startsWith(dir));
  });

  it("refuses a tarball that does not match the registry's integrity, leaving nothing behind", async () => {
    registry.corrupt = true;
    try {
      await assert.rejects(
        installCudaBackend({ dir, version, registry: registry.url, packages: [NAME] }),
        (e: Error & { code?: string }) =>
          e.code === 'INTEGRITY_MISMATCH' && /does not match the registry's integrity/.test(e.message),
      );
    } finally {
      registry.corrupt = false;
    }
    assert.equal(installedBackendPackages(dir, version).size, 0);
    assert.deepEqual(leftovers(), []);
  });

  it('stops on cancel mid-download, leaving nothing behind', async () => {
    registry.slow = true;
    const controller = new AbortController();
    try {
      await assert.rejects(
        installCudaBackend({
          dir,
          version,
          registry: registry.url,
          packages: [NAME],
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'download' && p.receivedBytes > 0) controller.abort();
          },
        }),
        (e: Error & { code?: string }) => e.code === 'CANCELLED',
      );
    } finally {
      registry.slow = false;
    }
    assert.equal(installedBackendPackages(dir, version).size, 0);
    assert.deepEqual(leftovers(), []);
  });

  it('names what the registry does not have', async () => {
    await assert.rejects(
      installCudaBackend({ dir, version, registry: registry.url, packages: ['linux-x64-nonesuch'] }),
      (e: Error & { code?: string }) =>
        e.code === 'DOWNLOAD_FAILED' && /linux-x64-nonesuch\/.* answered HTTP 404/.test(e.message),
    );
    await assert.rejects(
      installCudaBackend({ dir, version: '0.0.1', registry: registry.url, packages: [NAME] }),
      (e: Error & { code?: string }) => e.code === 'DOWNLOAD_FAILED' && /HTTP 404/.test(e.message),
    );
    assert.deepEqual(leftovers(), []);
  });
});
