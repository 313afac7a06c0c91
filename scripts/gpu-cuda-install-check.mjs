// Checks the CUDA backend add-on end to end on the packaged layout, with the real npm registry:
//   1. unpacks the linux-x64 VSIX (`npm run package` first) into a temporary folder: its node_modules
//      holds node-llama-cpp with the CPU and Vulkan packages and no CUDA one;
//   2. installs node-llama-cpp's CUDA packages from the npm registry into a "storage" folder with
//      core/engine/backends' installCudaBackend (progress, integrity, install record) and verifies them;
//   3. asks node-llama-cpp's own prebuilt-binary lookup, run from the unpacked extension, where it finds
//      the CUDA binary with the engine's resolution hook and without it;
//   4. starts the unpacked extension's engine process (EngineClient, gpu 'cuda' then 'auto') with the
//      storage folder, loads a tiny model, and prints what the engine reports: on a machine without an
//      NVIDIA GPU it falls back to the CPU and says why; on one with CUDA it should say cuda.
//   node scripts/gpu-cuda-install-check.mjs [--vsix FILE] [--no-fallback] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = args.includes('--vsix')
  ? path.resolve(args[args.indexOf('--vsix') + 1])
  : path.join(root, `${manifest.name}-linux-x64-${manifest.version}.vsix`);
const T0 = performance.now();
const say = (m) => console.log(`[cuda-check ${((performance.now() - T0) / 1000).toFixed(1).padStart(6)}s] ${m}`);
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first`);
for (const f of ['out/src/core/engine/backends/index.js', 'out/src/core/testmodel/index.js']) {
  if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: run npm run build first`);
}
const backends = require(path.join(root, 'out/src/core/engine/backends/index.js'));
const { EngineClient } = require(path.join(root, 'out/src/core/engine/index.js'));
const { writeTestModel } = require(path.join(root, 'out/src/core/testmodel/index.js'));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-cuda-check-'));
try {
  // 1. The packaged extension.
  execFileSync('python3', ['-m', 'zipfile', '-e', vsix, path.join(work, 'vsix')]);
  const ext = path.join(work, 'vsix', 'extension');
  const shipped = fs.readdirSync(path.join(ext, 'node_modules', '@node-llama-cpp'));
  say(`unpacked ${path.basename(vsix)} (${mb(fs.statSync(vsix).size)}): @node-llama-cpp/{${shipped.join(', ')}}`);
  const version = JSON.parse(
    fs.readFileSync(path.join(ext, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8'),
  ).version;

  // 2. Install from the registry.
  const storage = path.join(work, 'storage');
  let last = '';
  const t0 = performance.now();
  const installed = await backends.installCudaBackend({
    dir: storage,
    version,
    withCuda12Fallback: !args.includes('--no-fallback'),
    onProgress: (p) => {
      const line = `${p.package} ${p.phase}${p.totalBytes ? ` ${mb(p.receivedBytes)} of ${mb(p.totalBytes)}` : ''}`;
      const step = `${p.package} ${p.phase} ${p.totalBytes ? Math.floor((10 * p.receivedBytes) / p.totalBytes) : ''}`;
      if (step !== last) {
        last = step;
        say(`  ${line} (${(100 * p.fraction).toFixed(0)}% overall)`);
      }
    },
  });
  say(
    `installed in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
      `${installed.map((p) => `${p.name}@${p.version} ${mb(p.bytes)} in ${p.files} files`).join('; ')}`,
  );
  const t1 = performance.now();
  const verified = await backends.verifyInstalledBackends(storage, { full: true, version });
  say(
    `full verification (sha256 of every file) ${verified.ok ? 'passed' : 'FAILED'} in ` +
      `${((performance.now() - t1) / 1000).toFixed(1)} s${verified.ok ? '' : `: ${JSON.stringify(verified.packages)}`}`,
  );

  // 3. node-llama-cpp's own lookup, from inside the unpacked extension.
  const lookup = path.join(ext, 'lookup-check.mjs');
  fs.writeFileSync(
    lookup,
    `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const { registerBackendsFromEnv } = ` +
      `require(${JSON.stringify(path.join(root, 'out/src/core/engine/backends/index.js'))});
    const said = [];
    if (process.env.WITH_HOOK) registerBackendsFromEnv((l, m) => said.push(m));
    const c = await import('./node_modules/node-llama-cpp/dist/bindings/utils/compileLLamaCpp.js');
    const out = { said };
    for (const gpu of [false, 'vulkan', 'cuda']) out[String(gpu)] = await ` +
      `c.checkWhetherPrebuiltBinariesModuleIsInstalled(gpu);
    out.cudaBinary = (await c.getPrebuiltBinaryPath({ platform: 'linux', arch: 'x64', gpu: 'cuda', ` +
      `customCmakeOptions: new Map() }, 'linux-x64-cuda'))?.binaryPath ?? null;
    console.log(JSON.stringify(out));
  `,
  );
  for (const withHook of [false, true]) {
    const env = { ...process.env, ...backends.backendsEnv(storage), ...(withHook ? { WITH_HOOK: '1' } : {}) };
    const r = spawnSync(process.execPath, [lookup], { cwd: ext, env, encoding: 'utf8' });
    say(
      `node-llama-cpp's lookup in the unpacked extension, ${withHook ? 'with' : 'without'} the hook: ` +
        `${(r.stdout || r.stderr).trim()}`,
    );
  }

  // 4. The engine process of the packaged extension, with the storage folder.
  const model = path.join(work, 'tiny.gguf');
  await writeTestModel(model, {});
  for (const gpu of ['cuda', 'auto']) {
    const logs = [];
    const logger = Object.fromEntries(
      ['trace', 'debug', 'info', 'warn', 'error'].map((l) => [l, (m) => logs.push(`${l}: ${m}`)]),
    );
    const client = new EngineClient({
      gpu,
      threads: 1,
      contextSize: 512,
      processEntry: path.join(ext, 'dist', 'engine-process.js'),
      env: backends.backendsEnv(storage),
      logger,
      llamaLogLevel: 'warn',
    });
    const t2 = performance.now();
    try {
      await client.load(model);
      const info = await client.info();
      say(
        `engine gpu '${gpu}': backend ${info.backend} after ${((performance.now() - t2) / 1000).toFixed(1)} ` +
          `s${info.gpuFallback ? `; fallback: ${info.gpuFallback}` : ''}`,
      );
    } catch (err) {
      say(`engine gpu '${gpu}': ${err.message}`);
    } finally {
      await client.dispose();
    }
    for (const l of logs.filter((x) => /backend package|cuda|CUDA|fallback|prebuilt/i.test(x)).slice(0, 8))
      say(`  log ${l.slice(0, 300)}`);
  }
  const freed = await backends.removeInstalledBackends(storage);
  say(`removed: ${mb(freed)} freed; installed now: ${backends.installedBackendPackages(storage, version).size}`);
} finally {
  if (args.includes('--keep')) say(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
