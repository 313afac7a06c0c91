// Lets node-llama-cpp load binary packages installed outside the extension's node_modules. It finds its
// prebuilt binaries by importing `@node-llama-cpp/<platform>[-cuda|-vulkan]` (and accepts one whose
// version equals its own); Node's ESM resolution looks only in node_modules folders above node-llama-cpp,
// and the extension's folder is replaced on every update, so a backend installed there would not last.
// A module resolution hook, registered in the engine process before node-llama-cpp is imported, answers
// those imports with the copies installed in the storage folder (./cuda-install.ts). Nothing else is
// redirected, and with no folder (or nothing installed) no hook is registered at all.
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { installedBackendPackages, nodeLlamaCppVersion } from './cuda-install';
import { backendRoots } from './own-folder';

/** The environment variable that tells the engine process where extra backend packages are installed. */
export const BACKENDS_DIR_ENV = 'CPT_WRITER_BACKENDS_DIR';

/** Extra environment for EngineClient (`env` option) so its engine process uses the backends in `dir`. */
export function backendsEnv(dir: string): NodeJS.ProcessEnv {
  return { [BACKENDS_DIR_ENV]: dir };
}

// The hook runs on Node's loader thread, apart from this bundle, so it is plain ESM source.
// A binary package found anywhere else than the allowed folders (own-folder.ts) is refused, as if absent.
const HOOK_SOURCE = `
let packages = {};
let roots = [];
export function initialize(data) { packages = data.packages; roots = data.roots; }
export async function resolve(specifier, context, nextResolve) {
  const url = packages[specifier];
  if (url) return { url, format: 'module', shortCircuit: true };
  const found = await nextResolve(specifier, context);
  if (specifier.startsWith('@node-llama-cpp/') && !roots.some((r) => found.url.startsWith(r))) {
    const e = new Error('Cannot find package ' + specifier + ' in this install');
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return found;
}
`;

/** A folder as the prefix of the file: URLs inside it. */
const folderUrl = (dir: string) => pathToFileURL(path.resolve(dir) + path.sep).href;

/** The file a package's bare import loads (its "exports" "." import entry, else "main"). */
function entryOf(pkgDir: string): string {
  const m = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
    main?: string;
    exports?: Record<string, unknown>;
  };
  const dot = m.exports?.['.'];
  const fromExports =
    typeof dot === 'string'
      ? dot
      : ((dot as Record<string, unknown> | undefined)?.import ?? (dot as Record<string, unknown> | undefined)?.default);
  return path.join(pkgDir, typeof fromExports === 'string' ? fromExports : (m.main ?? 'index.js'));
}

/**
 * Registers the hook for the backend packages installed in `dir` that match node-llama-cpp's version,
 * and refusing any other binary package from outside this install's folder (own-folder.ts); returns
 * what it redirects (package name → folder), empty when nothing is installed. Call it before the first
 * import of node-llama-cpp.
 */
export function registerInstalledBackends(dir: string | undefined, version?: string): Map<string, string> {
  const installed = dir ? installedBackendPackages(dir, version ?? nodeLlamaCppVersion()) : new Map<string, string>();
  if (typeof module.register !== 'function') {
    if (installed.size === 0) return installed;
    throw new Error(
      `this Node (${process.version}) cannot register module hooks, so the backends in ${dir} cannot be used`,
    );
  }
  const packages = Object.fromEntries(
    [...installed].map(([name, pkgDir]) => [name, pathToFileURL(entryOf(pkgDir)).href]),
  );
  const roots = backendRoots(dir).map(folderUrl);
  module.register(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`, { data: { packages, roots } });
  return installed;
}

/**
 * The engine process's one call: registers the backends in $CPT_WRITER_BACKENDS_DIR, if set, and says
 * what it did. A broken install never stops the engine: it is reported and node-llama-cpp goes on with
 * the backends the extension ships.
 */
export function registerBackendsFromEnv(
  log: (level: 'info' | 'warn', message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const dir = env[BACKENDS_DIR_ENV] || undefined;
  try {
    const used = registerInstalledBackends(dir);
    for (const [name, pkgDir] of used) log('info', `backend package ${name} from ${pkgDir}`);
  } catch (err) {
    log('warn', `could not use the backend packages in ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
