// Builds everything the extension, the CLI and the tests run from:
//   tsc  -> out/   (tests run against this, module-by-module)
//   esbuild -> dist/ (extension, engine process, CLI; node-llama-cpp stays external: it is ESM-only
//                     with native addons and is shipped in node_modules) and media/webview.js
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const t0 = Date.now();
if (!args.has('--no-tsc')) {
  execFileSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' });
  if (existsSync(path.join(root, 'webview', 'tsconfig.json'))) {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'webview')], { stdio: 'inherit' });
  }
}

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['vscode', 'node-llama-cpp'],
  logLevel: 'warning',
};
const entries = [
  ['src/extension.ts', 'dist/extension.js'],
  ['src/core/engine/engine-process.ts', 'dist/engine-process.js'],
  ['src/cli/main.ts', 'dist/cli.js'],
].filter(([src]) => existsSync(path.join(root, src)));
await Promise.all(
  entries.map(([src, out]) =>
    build({ ...nodeCommon, entryPoints: [path.join(root, src)], outfile: path.join(root, out) }),
  ),
);

if (existsSync(path.join(root, 'webview', 'main.ts'))) {
  await build({
    entryPoints: [path.join(root, 'webview', 'main.ts')],
    outfile: path.join(root, 'media', 'webview.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: false,
    minify: true,
    logLevel: 'warning',
  });
  const codicons = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  if (existsSync(codicons)) {
    mkdirSync(path.join(root, 'media', 'codicons'), { recursive: true });
    for (const f of ['codicon.css', 'codicon.ttf'])
      cpSync(path.join(codicons, f), path.join(root, 'media', 'codicons', f));
  }
}
console.log(`build: ${entries.length} bundles in ${Date.now() - t0} ms`);
