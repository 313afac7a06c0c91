// Which of node-llama-cpp's backends this install could run, for the engine's info: a backend needs its
// prebuilt binary package (node-llama-cpp finds one by importing @node-llama-cpp/<platform>[-gpu] and
// accepts it only at its own version; the package's node_modules holds the CPU and Vulkan ones, and the
// resolution hook redirects a CUDA one added to the storage folder) and the libraries and drivers that
// node-llama-cpp's own detection looks for (getLlamaGpuTypes('supported')). Nothing is loaded: this only
// resolves packages and looks for files, so it is cheap enough for every info call after the first.
import type { Backend, BackendAvailability } from '../types';
import { insideFolder } from './own-folder';

/**
 * The binary package name (without the @node-llama-cpp/ scope) node-llama-cpp imports for a backend, as in its own
 * lookup.
 */
export function binaryPackageName(
  backend: Backend,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  if (platform === 'darwin') {
    if (arch === 'arm64') return backend === 'metal' || backend === 'cpu' ? 'mac-arm64-metal' : undefined;
    return arch === 'x64' && backend === 'cpu' ? 'mac-x64' : undefined;
  }
  const os = platform === 'linux' ? 'linux' : platform === 'win32' ? 'win' : undefined;
  if (!os) return undefined;
  if (arch === 'x64') {
    if (backend === 'cpu') return `${os}-x64`;
    if (backend === 'cuda' || backend === 'vulkan') return `${os}-x64-${backend}`;
    return undefined;
  }
  if (backend !== 'cpu') return undefined;
  if (arch === 'arm64') return `${os}-arm64`;
  if (arch === 'arm' && os === 'linux') return 'linux-armv7l';
  return undefined;
}

/** The backends node-llama-cpp knows for a platform, best first. */
export function platformBackends(platform: NodeJS.Platform = process.platform, arch: string = process.arch): Backend[] {
  if (platform === 'darwin') return arch === 'arm64' ? ['metal', 'cpu'] : ['cpu'];
  if ((platform === 'linux' || platform === 'win32') && arch === 'x64') return ['cuda', 'vulkan', 'cpu'];
  return ['cpu'];
}

type Import = (specifier: string) => Promise<unknown>;

/**
 * Where node-llama-cpp `version` would take the binary package `name` from: it imports, its version is
 * ours, and it lies in one of `roots` (see own-folder.ts; no roots: anywhere).
 */
async function binaryPackageDir(
  name: string,
  version: string,
  importModule: Import,
  roots: readonly string[] | undefined,
): Promise<string | undefined> {
  try {
    const mod = (await importModule(`@node-llama-cpp/${name}`)) as {
      getBinsDir?: () => { binsDir?: string; packageVersion?: string };
    };
    const bins = mod.getBinsDir?.();
    if (!bins?.binsDir || bins.packageVersion !== version) return undefined;
    if (roots && !roots.some((r) => insideFolder(bins.binsDir!, r))) return undefined;
    return bins.binsDir;
  } catch {
    return undefined;
  }
}

/**
 * Every backend of this platform with whether its binary is installed and whether its drivers were
 * found. `supported` is node-llama-cpp's getLlamaGpuTypes('supported') (false standing for the CPU).
 */
export async function backendAvailability(
  version: string,
  supported: ReadonlyArray<string | false>,
  importModule: Import = (s) => import(s),
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  /** The folders a binary package must lie in (backendRoots); undefined accepts any. */
  roots?: readonly string[],
): Promise<BackendAvailability[]> {
  return Promise.all(
    platformBackends(platform, arch).map(async (backend) => {
      const name = binaryPackageName(backend, platform, arch);
      const binsDir = name === undefined ? undefined : await binaryPackageDir(name, version, importModule, roots);
      return {
        backend,
        binary: binsDir !== undefined,
        drivers: backend === 'cpu' || supported.includes(backend),
        ...(binsDir ? { binsDir } : {}),
      };
    }),
  );
}
