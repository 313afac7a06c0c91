// Which backends an install has (core/engine/backends/availability) and how the editor words it
// (vscode/model/backend-summary, which has no vscode import): the lookup against this checkout's real
// node_modules, and the engine process reporting it in info() with the real node-llama-cpp.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EngineClient, type BackendAvailability } from '../../src/core/engine';
import { backendAvailability, binaryPackageName, platformBackends } from '../../src/core/engine/backends/availability';
import { nodeLlamaCppVersion } from '../../src/core/engine/backends/cuda-install';
import { backendRoots, insideFolder, ownInstallRoot } from '../../src/core/engine/backends/own-folder';
import { backendLines, cpuReason } from '../../src/vscode/model/backend-summary';
import { testEngineOptions, testModels } from './helpers/test-models';

const root = path.resolve(__dirname, '..', '..', '..');

describe('backend availability', function () {
  this.timeout(120_000);

  it('names the binary package node-llama-cpp imports for each platform and backend', () => {
    assert.equal(binaryPackageName('cpu', 'linux', 'x64'), 'linux-x64');
    assert.equal(binaryPackageName('vulkan', 'linux', 'x64'), 'linux-x64-vulkan');
    assert.equal(binaryPackageName('cuda', 'win32', 'x64'), 'win-x64-cuda');
    assert.equal(binaryPackageName('metal', 'darwin', 'arm64'), 'mac-arm64-metal');
    assert.equal(binaryPackageName('cpu', 'darwin', 'x64'), 'mac-x64');
    assert.equal(binaryPackageName('vulkan', 'linux', 'arm64'), undefined);
    assert.equal(binaryPackageName('cpu', 'linux', 'arm'), 'linux-armv7l');
    assert.deepEqual(platformBackends('linux', 'x64'), ['cuda', 'vulkan', 'cpu']);
    assert.deepEqual(platformBackends('darwin', 'arm64'), ['metal', 'cpu']);
    assert.deepEqual(platformBackends('linux', 'arm64'), ['cpu']);
  });

  it(
    "finds the binaries installed in this checkout at node-llama-cpp's version, and none at another " + 'version',
    async () => {
      const version = nodeLlamaCppVersion();
      const found = await backendAvailability(version, ['vulkan'], undefined, 'linux', 'x64');
      const by = new Map(found.map((b) => [b.backend, b]));
      // npm installs the CPU and Vulkan prebuilts here (package.json's optional dependencies of node-llama-cpp).
      const nm = path.join(root, 'node_modules', '@node-llama-cpp');
      assert.deepEqual(by.get('cpu'), {
        backend: 'cpu',
        binary: true,
        drivers: true,
        binsDir: path.join(nm, 'linux-x64', 'bins'),
      });
      assert.deepEqual(by.get('vulkan'), {
        backend: 'vulkan',
        binary: true,
        drivers: true,
        binsDir: path.join(nm, 'linux-x64-vulkan', 'bins'),
      });
      assert.equal(by.get('cuda')?.drivers, false, 'CUDA was not in the supported list');
      const other = await backendAvailability('0.0.1', [], undefined, 'linux', 'x64');
      assert.ok(
        other.every((b) => !b.binary),
        JSON.stringify(other),
      );
      // A package that cannot be imported is simply missing.
      const none = await backendAvailability(
        version,
        [],
        async () => {
          throw new Error('no such package');
        },
        'linux',
        'x64',
      );
      assert.ok(none.every((b) => !b.binary));
    },
  );

  it("counts a binary package only inside this install's folder (or the installed-backends folder)", async () => {
    const version = nodeLlamaCppVersion();
    // This checkout is the install here: node-llama-cpp lives in its node_modules.
    assert.equal(ownInstallRoot(), root);
    const own = await backendAvailability(version, ['vulkan'], undefined, 'linux', 'x64', backendRoots(undefined));
    assert.equal(own.find((b) => b.backend === 'vulkan')?.binary, true);
    // An install elsewhere (an extension unpacked inside a clone) does not take the clone's packages.
    const elsewhere = path.join(root, '.test-output', 'installed-extension');
    const outside = await backendAvailability(version, ['vulkan'], undefined, 'linux', 'x64', [elsewhere]);
    assert.ok(
      outside.every((b) => !b.binary),
      JSON.stringify(outside),
    );
    assert.ok(insideFolder(path.join(root, 'node_modules', 'x'), root));
    assert.ok(!insideFolder(path.join(root, '..', 'other'), root));
    assert.ok(!insideFolder(`${root}-sibling/x`, root));
    // ownInstallRoot climbs from node-llama-cpp's entry to the folder holding its node_modules.
    assert.equal(
      ownInstallRoot(() => path.join('/ext', 'node_modules', 'node-llama-cpp', 'dist', 'index.js')),
      path.resolve('/ext'),
    );
  });

  it(
    'the engine process lists every backend of this platform in info(), the CPU in use and Vulkan ' + 'installed',
    async () => {
      const { tiny } = await testModels();
      const engine = new EngineClient(testEngineOptions({ gpu: 'off' }));
      try {
        await engine.load(tiny);
        const info = await engine.info();
        assert.equal(info.backend, 'cpu');
        assert.ok(info.backends, 'info() has no backends');
        const names = info.backends.map((b) => b.backend);
        assert.deepEqual(names, platformBackends());
        if (process.platform === 'linux' && process.arch === 'x64') {
          assert.equal(info.backends.find((b) => b.backend === 'vulkan')?.binary, true);
        }
        const cpu = info.backends.find((b) => b.backend === 'cpu');
        assert.equal(cpu?.binary, true);
        assert.equal(cpu?.drivers, true);
        assert.ok(cpu?.binsDir && existsSync(cpu.binsDir), JSON.stringify(cpu));
      } finally {
        await engine.dispose();
      }
    },
  );
});

describe('backend summary for the status bar', () => {
  const linux: BackendAvailability[] = [
    { backend: 'cuda', binary: false, drivers: false },
    { backend: 'vulkan', binary: true, drivers: false },
    { backend: 'cpu', binary: true, drivers: true },
  ];

  it('says per backend whether it is in use, installed, or missing what it needs', () => {
    assert.deepEqual(backendLines(linux, 'cpu'), [
      'CUDA is not in this install; CPT Writer: Install CUDA Backend… adds it.',
      'Vulkan is in this install, but no Vulkan driver (loader) was found on this machine.',
      'CPU is in use.',
    ]);
    assert.deepEqual(backendLines([{ backend: 'vulkan', binary: true, drivers: true }], 'cpu'), [
      'Vulkan is in this install and usable.',
    ]);
  });

  it('explains the CPU only when a GPU was allowed', () => {
    assert.equal(
      cpuReason('auto', 'cpu', linux),
      'Running on the CPU. CUDA is not in this install. ' +
        'Vulkan is in this install, but no Vulkan driver (loader) was found on this machine.',
    );
    assert.equal(
      cpuReason('vulkan', 'cpu', linux),
      'Running on the CPU. Vulkan is in this install, but no Vulkan driver (loader) was found on this machine.',
    );
    assert.equal(cpuReason('off', 'cpu', linux), undefined);
    assert.equal(cpuReason('auto', 'vulkan', linux), undefined);
    assert.equal(cpuReason('auto', 'cpu', undefined), undefined);
    assert.equal(
      cpuReason('auto', 'cpu', [
        { backend: 'vulkan', binary: true, drivers: true },
        { backend: 'cpu', binary: true, drivers: true },
      ]),
      'Running on the CPU. Vulkan could not start.',
    );
  });
});
