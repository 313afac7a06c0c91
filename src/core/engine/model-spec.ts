// Model specs as writers type them: a file path (absolute, relative, ~ or a file: URL), an https: URL, or
// an hf: URI, optionally ending in #sha256=<64 hex digits> to pin the exact file.
import { open, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from './types';

export type ModelSpec = (
  { kind: 'file'; path: string } | { kind: 'url'; url: string; fileName: string } | { kind: 'hf'; uri: string }
) & {
  /** Lower-case hex SHA-256 the file must have; present only when the spec pins one. */
  sha256?: string;
};

/** The suffix that pins a model's SHA-256; it always comes last (after an hf: URI's own #branch). */
const SHA256_SUFFIX = /#sha256=([^#]*)$/i;

/** Splits `<spec>#sha256=<hex>` into the spec and the lower-case hash; throws on a malformed hash. */
export function splitSha256(spec: string): { spec: string; sha256?: string } {
  const s = spec.trim();
  const m = SHA256_SUFFIX.exec(s);
  if (!m) return { spec: s };
  if (!/^[0-9a-f]{64}$/i.test(m[1])) {
    throw new EngineError(
      'MODEL_NOT_FOUND',
      `The SHA-256 after "#sha256=" must be 64 hexadecimal digits, got "${m[1]}"`,
    );
  }
  return { spec: s.slice(0, m.index).trim(), sha256: m[1].toLowerCase() };
}

/** `spec` with `#sha256=<hex>` appended when a hash is given. */
export function withSha256(spec: string, sha256: string | undefined): string {
  return sha256 ? `${spec}#sha256=${sha256.toLowerCase()}` : spec;
}

/** The message every place that takes a model spec gives for a plain http: download. */
export function plainHttpRefusal(url: string): string {
  return (
    `Plain http: downloads are refused, because anyone on the way could swap the file: use an https:// URL ` +
    `instead (${redactUrl(url)})`
  );
}

/** A URL as it may appear in messages: no user name or password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/**
 * The local path a file: URL names, percent-escapes decoded (spaces, non-ASCII, %23 for "#"). Every place
 * that accepts a path as a file: URL (model specs, LoRA adapters) goes through this one function.
 */
export function filePathFromUrl(url: string): string {
  try {
    return fileURLToPath(new URL(url));
  } catch (err) {
    throw new EngineError('MODEL_NOT_FOUND', `Not a usable file: URL (${url}): ${(err as Error).message}`);
  }
}

/** A local path as typed: a file: URL, ~ for the home folder, or a path relative to the working folder. */
export function localPath(p: string, home: string = os.homedir()): string {
  const s = p.trim();
  if (/^file:/i.test(s)) return filePathFromUrl(s);
  if (s === '~' || s.startsWith('~/') || s.startsWith('~\\')) return path.join(home, s.slice(1));
  return path.resolve(s);
}

export function parseModelSpec(spec: string, home: string = os.homedir()): ModelSpec {
  const { spec: s, sha256 } = splitSha256(spec);
  const pin = sha256 ? { sha256 } : {};
  if (!s)
    throw new EngineError('MODEL_NOT_FOUND', 'No model is set: give a .gguf file path, an https: URL or an hf: URI.');
  if (/^hf:/i.test(s) || /^huggingface:/i.test(s)) return { kind: 'hf', uri: s, ...pin };
  if (/^http:\/\//i.test(s)) throw new EngineError('DOWNLOAD_FAILED', plainHttpRefusal(s));
  if (/^https:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new EngineError('DOWNLOAD_FAILED', `Not a valid URL: ${redactUrl(s)}`);
    }
    return { kind: 'url', url: url.toString(), fileName: urlFileName(url), ...pin };
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(s) && !/^file:/i.test(s)) {
    throw new EngineError(
      'DOWNLOAD_FAILED',
      `Models download only over https: or from hf: URIs, not ${s.slice(0, s.indexOf(':') + 1)} (${redactUrl(s)})`,
    );
  }
  return { kind: 'file', path: localPath(s, home), ...pin };
}

/**
 * Why a spec typed into an input box cannot be used, or undefined when it can: the same wording the
 * engine gives when it refuses the spec.
 */
export function modelSpecProblem(spec: string): string | undefined {
  try {
    parseModelSpec(spec);
    return undefined;
  } catch (err) {
    return err instanceof EngineError ? err.message : String(err);
  }
}

/**
 * The local file name for a plain URL. node-llama-cpp needs it up front: without it every load asks the
 * server for the size again and an offline load of an already downloaded file fails.
 */
export function urlFileName(url: URL): string {
  let base = '';
  try {
    base = decodeURIComponent(path.posix.basename(url.pathname));
  } catch {
    base = path.posix.basename(url.pathname);
  }
  base = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return base || 'model.gguf';
}

/** Checks the file exists and starts with the GGUF magic; returns its size. */
export async function checkGgufFile(file: string): Promise<number> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new EngineError('MODEL_NOT_FOUND', `The model path is not a file: ${file}`);
    size = st.size;
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('MODEL_NOT_FOUND', `Model file not found: ${file}`);
  }
  const magic = Buffer.alloc(4);
  const fh = await open(file, 'r');
  try {
    await fh.read(magic, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (magic.toString('latin1') !== 'GGUF') {
    throw new EngineError('NOT_GGUF', `Not a GGUF model file (it does not start with "GGUF"): ${file}`);
  }
  return size;
}
