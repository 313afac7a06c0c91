// Adds node-llama-cpp's CUDA backend to a folder outside the extension (its storage): the platform VSIX
// ships the CPU and Vulkan binaries only, since the CUDA ones are ~180 MB (CUDA 13) plus ~360 MB (the
// CUDA 12 fallback). The packages come from the npm registry as npm would fetch them (registry metadata,
// tarball, sha512 integrity), are unpacked into <dir>/node_modules/@node-llama-cpp/<name>, and carry a
// record of every file's size and hash so they can be verified later. The engine process picks them up
// under `gpu: auto` through a module resolution hook (./resolve-hook.ts). No npm is needed on the
// writer's machine.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import * as tar from 'tar';
import { CptError, errorMessage } from '../../errors';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';
/** The record written into each installed package: what was installed and every file's size and hash. */
export const INSTALL_RECORD = '.cpt-writer-install.json';

export type BackendInstallErrorCode =
  'UNSUPPORTED_PLATFORM' | 'DOWNLOAD_FAILED' | 'INTEGRITY_MISMATCH' | 'BAD_PACKAGE' | 'CANCELLED';
export class BackendInstallError extends CptError<BackendInstallErrorCode> {
  constructor(code: BackendInstallErrorCode, message: string) {
    super(code, message);
    this.name = 'BackendInstallError';
  }
}

/**
 * node-llama-cpp's CUDA packages for a platform: the CUDA 13 build, and its "-ext" companion holding the
 * CUDA 12 build that node-llama-cpp loads from `fallback/` when the first cannot start. Undefined where
 * node-llama-cpp has no CUDA prebuilt (macOS, ARM).
 */
export function cudaBackendPackages(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): { main: string; fallback: string } | undefined {
  if (arch !== 'x64') return undefined;
  if (platform === 'linux') return { main: 'linux-x64-cuda', fallback: 'linux-x64-cuda-ext' };
  if (platform === 'win32') return { main: 'win-x64-cuda', fallback: 'win-x64-cuda-ext' };
  return undefined;
}

/** The version of the node-llama-cpp this process would load: binary packages must match it exactly. */
export function nodeLlamaCppVersion(): string {
  let dir = path.dirname(require.resolve('node-llama-cpp'));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (m.name === 'node-llama-cpp' && m.version) return m.version;
    }
    if (path.dirname(dir) === dir) throw new Error("Could not find node-llama-cpp's package.json");
    dir = path.dirname(dir);
  }
}

export interface BackendInstallProgress {
  /** @node-llama-cpp/<name> being worked on, and its place in the install. */
  package: string;
  index: number;
  count: number;
  phase: 'metadata' | 'download' | 'unpack' | 'verify' | 'done';
  receivedBytes: number;
  totalBytes?: number;
  /** 0..1 over the whole install (downloads dominate). */
  fraction: number;
}

export interface InstallCudaBackendOptions {
  /** The folder to install into (the extension's storage); packages go to <dir>/node_modules/@node-llama-cpp. */
  dir: string;
  /** node-llama-cpp's version; the packages must match it. Default: the installed node-llama-cpp's. */
  version?: string;
  /** Also install the CUDA 12 fallback (~360 MB more). Default true: it is what runs with a CUDA 12 toolkit. */
  withCuda12Fallback?: boolean;
  /** The npm registry (default https://registry.npmjs.org/). */
  registry?: string;
  /** Explicit package names (without the scope), instead of this platform's; for other platforms and tests. */
  packages?: string[];
  onProgress?: (p: BackendInstallProgress) => void;
  signal?: AbortSignal;
}

export interface InstalledBackendPackage {
  name: string;
  version: string;
  dir: string;
  integrity: string;
  bytes: number;
  files: number;
}

interface InstallRecord {
  name: string;
  version: string;
  integrity: string;
  tarball: string;
  installedAt: string;
  files: Record<string, { size: number; sha256: string }>;
}

const scopeDir = (dir: string) => path.join(dir, 'node_modules', '@node-llama-cpp');

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BackendInstallError('CANCELLED', 'The GPU backend install was cancelled.');
}

/**
 * Whether a download may follow a redirect from `from` to `to`: never from https to anything else (a
 * downgrade would let anyone on the path swap the binary before the integrity check sees the metadata).
 */
export function redirectAllowed(from: string, to: string): boolean {
  const target = new URL(to, from).protocol;
  if (new URL(from).protocol === 'https:') return target === 'https:';
  return target === 'https:' || target === 'http:';
}

/** GET with redirects, through node:http(s) (which the editor's proxy settings apply to). */
function get(url: string, signal: AbortSignal | undefined, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { headers: { accept: 'application/json, application/octet-stream' }, signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        const next = new URL(res.headers.location, url).toString();
        if (!redirectAllowed(url, next)) {
          reject(
            new BackendInstallError(
              'DOWNLOAD_FAILED',
              `${url} redirected to a non-https address; the download stopped`,
            ),
          );
          return;
        }
        get(next, signal, redirects - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new BackendInstallError('DOWNLOAD_FAILED', `${url} answered HTTP ${status}`));
        return;
      }
      resolve(res);
    });
    req.on('error', (err) =>
      reject(
        signal?.aborted
          ? new BackendInstallError('CANCELLED', 'The GPU backend install was cancelled.')
          : new BackendInstallError('DOWNLOAD_FAILED', `Could not reach ${url}: ${errorMessage(err)}`),
      ),
    );
  });
}

async function getJson(url: string, signal: AbortSignal | undefined): Promise<unknown> {
  const res = await get(url, signal);
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk;
  try {
    return JSON.parse(body);
  } catch {
    throw new BackendInstallError('DOWNLOAD_FAILED', `${url} did not answer with JSON`);
  }
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  }
  return out.sort();
}

/**
 * Downloads, checks and unpacks node-llama-cpp's CUDA packages for this platform into `dir`. A package
 * whose tarball does not match the registry's sha512 integrity, or whose contents are not the expected
 * package, is not installed. Cancelling (the signal) or any failure leaves the folder as it was: work
 * happens in a temporary folder beside the destination and is moved into place only when complete.
 */
export async function installCudaBackend(options: InstallCudaBackendOptions): Promise<InstalledBackendPackage[]> {
  const version = options.version ?? nodeLlamaCppVersion();
  let names = options.packages;
  if (!names) {
    const pkgs = cudaBackendPackages();
    if (!pkgs)
      throw new BackendInstallError(
        'UNSUPPORTED_PLATFORM',
        `node-llama-cpp has no CUDA build for ${process.platform}-${process.arch}.`,
      );
    names = options.withCuda12Fallback === false ? [pkgs.main] : [pkgs.main, pkgs.fallback];
  }
  const registry = (options.registry ?? DEFAULT_NPM_REGISTRY).replace(/\/?$/, '/');
  const { signal, onProgress } = options;
  const scope = scopeDir(options.dir);
  await mkdir(scope, { recursive: true });
  await removeStaleWorkFolders(options.dir);
  const work = path.join(options.dir, `.backend-install-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(work, { recursive: true });
  const installed: InstalledBackendPackage[] = [];
  const count = names.length;
  const report = (p: Omit<BackendInstallProgress, 'count' | 'fraction'>) => {
    const within = p.phase === 'done' ? 1 : p.totalBytes ? 0.9 * (p.receivedBytes / p.totalBytes) : 0;
    onProgress?.({ ...p, count, fraction: Math.min(1, (p.index + within) / count) });
  };
  try {
    for (const [index, name] of names.entries()) {
      checkAborted(signal);
      const full = `@node-llama-cpp/${name}`;
      report({ package: full, index, phase: 'metadata', receivedBytes: 0 });
      const meta = (await getJson(
        `${registry}@node-llama-cpp%2f${encodeURIComponent(name)}/${encodeURIComponent(version)}`,
        signal,
      )) as { name?: string; version?: string; dist?: { tarball?: string; integrity?: string } };
      const tarball = meta.dist?.tarball;
      const integrity = meta.dist?.integrity;
      if (meta.name !== full || meta.version !== version || !tarball || !integrity?.startsWith('sha512-')) {
        throw new BackendInstallError(
          'BAD_PACKAGE',
          `The registry's entry for ${full}@${version} has no sha512-checked tarball.`,
        );
      }
      // Download with the hash computed on the way, reporting progress.
      const tgz = path.join(work, `${name}.tgz`);
      const res = await get(tarball, signal);
      const totalBytes = Number(res.headers['content-length']) || undefined;
      const sha512 = createHash('sha512');
      let receivedBytes = 0;
      let lastBytes = 0,
        lastAt = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          sha512.update(chunk);
          receivedBytes += chunk.length;
          // A report per MiB or per 200 ms, whichever comes first (and the first chunk at once).
          const now = Date.now();
          if (receivedBytes - lastBytes >= 1 << 20 || now - lastAt >= 200 || receivedBytes === totalBytes) {
            lastBytes = receivedBytes;
            lastAt = now;
            report({ package: full, index, phase: 'download', receivedBytes, totalBytes });
          }
          done(null, chunk);
        },
      });
      try {
        await pipeline(res, meter, createWriteStream(tgz), { signal });
      } catch (err) {
        checkAborted(signal);
        throw new BackendInstallError('DOWNLOAD_FAILED', `Downloading ${full} failed: ${errorMessage(err)}`);
      }
      checkAborted(signal);
      if (totalBytes !== undefined && receivedBytes !== totalBytes) {
        throw new BackendInstallError(
          'DOWNLOAD_FAILED',
          `Downloading ${full} stopped after ${receivedBytes} of ${totalBytes} bytes.`,
        );
      }
      report({ package: full, index, phase: 'verify', receivedBytes, totalBytes });
      const got = `sha512-${sha512.digest('base64')}`;
      if (got !== integrity) {
        throw new BackendInstallError(
          'INTEGRITY_MISMATCH',
          `${full}@${version} does not match the registry's integrity (got ${got.slice(0, 24)}…, expected ` +
            `${integrity.slice(0, 24)}…); nothing was installed.`,
        );
      }
      report({ package: full, index, phase: 'unpack', receivedBytes, totalBytes });
      const unpacked = path.join(work, name);
      await mkdir(unpacked);
      try {
        await tar.x({
          file: tgz,
          cwd: unpacked,
          strip: 1,
          // Regular files and folders only: a link entry could point outside the package or at a system file.
          filter: (_p, entry) => 'type' in entry && REGULAR_ENTRY_TYPES.has(entry.type),
          preserveOwner: false,
        });
        await dropSpecialModeBits(unpacked);
      } catch (err) {
        throw new BackendInstallError('BAD_PACKAGE', `Could not unpack ${full}: ${errorMessage(err)}`);
      }
      await rm(tgz);
      checkAborted(signal);
      const record = await describePackage(unpacked, full, version, integrity, tarball);
      await writeFile(path.join(unpacked, INSTALL_RECORD), `${JSON.stringify(record, null, 1)}\n`);
      // Into place: the old copy (if any) out first, then the complete new one in one rename.
      const dest = path.join(scope, name);
      await rm(dest, { recursive: true, force: true });
      await rename(unpacked, dest);
      const bytes = Object.values(record.files).reduce((s, f) => s + f.size, 0);
      installed.push({ name: full, version, dir: dest, integrity, bytes, files: Object.keys(record.files).length });
      report({ package: full, index, phase: 'done', receivedBytes, totalBytes });
    }
    return installed;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const REGULAR_ENTRY_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Clears setuid, setgid and sticky bits on everything unpacked: a library never needs them. */
async function dropSpecialModeBits(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(e.parentPath, e.name);
    const { mode } = await lstat(file);
    if (mode & 0o7000) await chmod(file, mode & 0o777);
  }
}

/** Checks an unpacked package is the one asked for, and records every file's size and hash. */
async function describePackage(
  dir: string,
  name: string,
  version: string,
  integrity: string,
  tarball: string,
): Promise<InstallRecord> {
  let manifest: { name?: string; version?: string };
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as typeof manifest;
  } catch {
    throw new BackendInstallError('BAD_PACKAGE', `${name} has no readable package.json.`);
  }
  if (manifest.name !== name || manifest.version !== version) {
    throw new BackendInstallError(
      'BAD_PACKAGE',
      `The tarball for ${name}@${version} holds ${manifest.name}@${manifest.version}.`,
    );
  }
  if (!existsSync(path.join(dir, 'bins')))
    throw new BackendInstallError('BAD_PACKAGE', `${name} has no bins/ folder of prebuilt binaries.`);
  const files: InstallRecord['files'] = {};
  for (const rel of await listFiles(dir)) {
    const file = path.join(dir, rel);
    files[rel] = { size: (await stat(file)).size, sha256: await hashFile(file) };
  }
  return { name, version, integrity, tarball, installedAt: new Date().toISOString(), files };
}

async function readRecord(pkgDir: string): Promise<InstallRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(path.join(pkgDir, INSTALL_RECORD), 'utf8')) as InstallRecord;
    return typeof r.name === 'string' && typeof r.version === 'string' && r.files && typeof r.files === 'object'
      ? r
      : undefined;
  } catch {
    return undefined;
  }
}

export interface BackendVerification {
  ok: boolean;
  packages: Array<{ name: string; version?: string; ok: boolean; problems: string[] }>;
}

/**
 * Re-reads every installed backend package in `dir` against its install record (sizes, and with `full`
 * the sha256 of every file): what a user runs when a GPU backend misbehaves. A package with no record
 * (an interrupted or foreign install) fails.
 */
export async function verifyInstalledBackends(
  dir: string,
  options: { full?: boolean; version?: string } = {},
): Promise<BackendVerification> {
  const scope = scopeDir(dir);
  const names = existsSync(scope) ? (await readdir(scope)).sort() : [];
  const packages: BackendVerification['packages'] = [];
  for (const name of names) {
    const pkgDir = path.join(scope, name);
    const problems: string[] = [];
    const record = await readRecord(pkgDir);
    if (!record) {
      packages.push({
        name: `@node-llama-cpp/${name}`,
        ok: false,
        problems: [`no readable ${INSTALL_RECORD}: not a complete install`],
      });
      continue;
    }
    if (options.version && record.version !== options.version)
      problems.push(`version ${record.version}, but node-llama-cpp is ${options.version}`);
    for (const [rel, want] of Object.entries(record.files)) {
      const file = path.join(pkgDir, rel);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch {
        problems.push(`${rel} is missing`);
        continue;
      }
      if (size !== want.size) {
        problems.push(`${rel} is ${size} bytes, ${want.size} were installed`);
        continue;
      }
      if (options.full && (await hashFile(file)) !== want.sha256)
        problems.push(`${rel} has changed since it was installed`);
    }
    packages.push({ name: record.name, version: record.version, ok: problems.length === 0, problems });
  }
  return { ok: packages.length > 0 && packages.every((p) => p.ok), packages };
}

/**
 * The completely installed backend packages in `dir` that match node-llama-cpp `version`, as
 * package name → folder: what the engine process lets node-llama-cpp import. Cheap (no hashing).
 */
export function installedBackendPackages(dir: string, version: string): Map<string, string> {
  const out = new Map<string, string>();
  const scope = scopeDir(dir);
  if (!existsSync(scope)) return out;
  for (const name of readdirSyncSafe(scope)) {
    const pkgDir = path.join(scope, name);
    try {
      const record = JSON.parse(readFileSync(path.join(pkgDir, INSTALL_RECORD), 'utf8')) as InstallRecord;
      const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (record.version === version && manifest.version === version && manifest.name === record.name)
        out.set(record.name, pkgDir);
    } catch {
      // no record or manifest: an interrupted or foreign install is never used
    }
  }
  return out;
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Removes the work folders of earlier installs that were killed before they could clean up. */
async function removeStaleWorkFolders(dir: string): Promise<void> {
  for (const n of readdirSyncSafe(dir)) {
    if (n.startsWith('.backend-install-') && !installerAlive(n))
      await rm(path.join(dir, n), { recursive: true, force: true });
  }
}

/** Whether the process that named a work folder .backend-install-<pid>-… is still running (so still installing). */
function installerAlive(folder: string): boolean {
  const pid = Number(/^\.backend-install-(\d+)-/.exec(folder)?.[1]);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes every installed backend package (and what interrupted installs left) from `dir`; returns the bytes freed. */
export async function removeInstalledBackends(dir: string): Promise<number> {
  let freed = 0;
  const scope = scopeDir(dir);
  const targets = [
    ...(existsSync(scope) ? (await readdir(scope)).map((n) => path.join(scope, n)) : []),
    ...(existsSync(dir)
      ? (await readdir(dir))
          .filter((n) => n.startsWith('.backend-install-') && !installerAlive(n))
          .map((n) => path.join(dir, n))
      : []),
  ];
  for (const t of targets) {
    for (const e of await readdir(t, { withFileTypes: true, recursive: true }).catch(() => [])) {
      if (e.isFile()) freed += (await stat(path.join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
    }
    await rm(t, { recursive: true, force: true });
  }
  return freed;
}
