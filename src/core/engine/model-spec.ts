// Model specs as writers type them: a file path (absolute, relative or ~), an http(s): URL, or an hf: URI.
import { open, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from './types';

export type ModelSpec =
  | { kind: 'file'; path: string }
  | { kind: 'url'; url: string; fileName: string }
  | { kind: 'hf'; uri: string };

export function parseModelSpec(spec: string, home: string = os.homedir()): ModelSpec {
  const s = spec.trim();
  if (!s) throw new EngineError('MODEL_NOT_FOUND', 'No model is set: give a .gguf file path, an https: URL or an hf: URI.');
  if (/^hf:/i.test(s) || /^huggingface:/i.test(s)) return { kind: 'hf', uri: s };
  if (/^https?:\/\//i.test(s)) {
    let url: URL;
    try { url = new URL(s); } catch { throw new EngineError('DOWNLOAD_FAILED', `Not a valid URL: ${s}`); }
    return { kind: 'url', url: url.toString(), fileName: urlFileName(url) };
  }
  if (/^file:\/\//i.test(s)) return { kind: 'file', path: path.resolve(new URL(s).pathname) };
  if (s === '~' || s.startsWith('~/') || s.startsWith('~\\')) return { kind: 'file', path: path.join(home, s.slice(1)) };
  return { kind: 'file', path: path.resolve(s) };
}

/**
 * The local file name for a plain URL. node-llama-cpp needs it up front: without it every load asks the
 * server for the size again and an offline load of an already downloaded file fails.
 */
export function urlFileName(url: URL): string {
  let base = '';
  try { base = decodeURIComponent(path.posix.basename(url.pathname)); } catch { base = path.posix.basename(url.pathname); }
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
  try { await fh.read(magic, 0, 4, 0); } finally { await fh.close(); }
  if (magic.toString('latin1') !== 'GGUF') {
    throw new EngineError('NOT_GGUF', `Not a GGUF model file (it does not start with "GGUF"): ${file}`);
  }
  return size;
}
