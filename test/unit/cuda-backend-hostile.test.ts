// The CUDA backend installer against a hostile package or registry: a tarball with a symlink and a setuid
// file unpacks regular files and folders only, without the special bits; an https download never follows a
// redirect to http; and the work folder of a killed earlier install is gone after the next start.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { installCudaBackend, nodeLlamaCppVersion, redirectAllowed } from '../../src/core/engine/backends';
import { type Registry, packBackendPackage, startRegistry } from './helpers/npm-registry';

const NAME = 'linux-x64-cuda';

describe('CUDA backend install: hostile packages and registries', function () {
  this.timeout(120_000);
  let work: string;
  let dir: string;
  let registry: Registry;
  const version = nodeLlamaCppVersion();

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-hostile-backend-'));
    dir = path.join(work, 'storage');
    const pack = path.join(work, 'pack');
    await packBackendPackage(NAME, pack);
    const pkg = path.join(pack, 'package');
    symlinkSync('/etc/passwd', path.join(pkg, 'bins', NAME, 'passwd-link'));
    writeFileSync(path.join(pkg, 'bins', NAME, 'helper'), '#!/bin/sh\n');
    chmodSync(path.join(pkg, 'bins', NAME, 'helper'), 0o6755);
    const tgz = path.join(work, 'hostile.tgz');
    await tar.c({ gzip: true, file: tgz, cwd: pack }, ['package']);
    registry = await startRegistry(readFileSync(tgz), version, NAME);
  });
  after(async () => {
    await registry?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('unpacks regular files and folders only, with setuid and setgid bits dropped', async () => {
    const [installed] = await installCudaBackend({ dir, version, registry: registry.url, packages: [NAME] });
    const bins = path.join(installed.dir, 'bins', NAME);
    assert.ok(existsSync(path.join(bins, 'llama-addon.node')), 'the package itself is installed');
    assert.equal(existsSync(path.join(bins, 'passwd-link')) || readdirSync(bins).includes('passwd-link'), false);
    const mode = lstatSync(path.join(bins, 'helper')).mode;
    assert.equal(mode & 0o7000, 0, `mode ${mode.toString(8)}`);
  });

  it('removes the work folder a killed earlier install left behind, at the next start', async () => {
    // A pid that cannot be running: the kernel's pid_max is below 2^22 on Linux.
    const stale = path.join(dir, '.backend-install-4194999-deadbeef');
    mkdirSync(path.join(stale, NAME), { recursive: true });
    writeFileSync(path.join(stale, NAME, 'partial.bin'), 'x');
    await installCudaBackend({ dir, version, registry: registry.url, packages: [NAME] });
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('.backend-install-')),
      [],
    );
  });

  it('never follows a redirect from https to http', () => {
    assert.equal(redirectAllowed('https://registry.example/pkg', 'http://evil.example/pkg.tgz'), false);
    assert.equal(redirectAllowed('https://registry.example/pkg', '//cdn.example/pkg.tgz'), true);
    assert.equal(redirectAllowed('https://registry.example/pkg', 'file:///etc/passwd'), false);
    assert.equal(redirectAllowed('http://127.0.0.1:4873/pkg', 'http://127.0.0.1:4873/t.tgz'), true);
  });
});
