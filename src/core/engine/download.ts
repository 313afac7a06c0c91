// Turns a model spec into a local GGUF path, downloading with node-llama-cpp's own downloader (ipull):
// it writes to a temporary file and, because we keep that file on failure, the next load resumes it.
// Downloads go over https: only (plain http: and redirects to it are refused), and a spec that pins a
// SHA-256 is verified before the file is handed to the loader.
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { mkdir, rm } from 'node:fs/promises';
import { withHttpsOnlyFetch } from './https-only-fetch';
import { fileSha256, hashCacheDirectory } from './integrity';
import { checkGgufFile, plainHttpRefusal, redactUrl, type ModelSpec } from './model-spec';
import { EngineError, type LoadProgress } from './types';

type Nlc = typeof NodeLlamaCpp;

export async function resolveModelSpecToFile(
  nlc: Nlc,
  spec: ModelSpec,
  modelsDirectory: string,
  onProgress: (p: LoadProgress) => void,
  signal: AbortSignal,
): Promise<string> {
  if (spec.kind === 'file') {
    if (spec.sha256) {
      await checkGgufFile(spec.path);
      await verifySha256(spec.path, spec.sha256, modelsDirectory, signal, { downloaded: false, source: spec.path });
    }
    return spec.path;
  }
  const source = spec.kind === 'url' ? spec.url : spec.uri;
  if (spec.kind === 'url' && !/^https:/i.test(source))
    throw new EngineError('DOWNLOAD_FAILED', plainHttpRefusal(source));
  if (!modelsDirectory)
    throw new EngineError('DOWNLOAD_FAILED', `No models directory is set to download ${redactUrl(source)} into.`);
  await mkdir(modelsDirectory, { recursive: true });
  const file = await withHttpsOnlyFetch(async (guard) => {
    try {
      return await nlc.resolveModelFile(source, {
        directory: modelsDirectory,
        ...(spec.kind === 'url' ? { fileName: spec.fileName } : {}),
        cli: false,
        deleteTempFileOnCancel: false,
        signal,
        onProgress: ({ totalSize, downloadedSize }) =>
          onProgress({
            phase: 'download',
            fraction: totalSize > 0 ? Math.min(1, downloadedSize / totalSize) : 0,
            downloadedBytes: downloadedSize,
            totalBytes: totalSize,
          }),
      });
    } catch (err) {
      if (signal.aborted)
        throw new EngineError(
          'CANCELLED',
          `Download of ${redactUrl(source)} was cancelled; loading it again resumes it.`,
        );
      if (guard.refusal)
        throw new EngineError('DOWNLOAD_FAILED', `Download of ${redactUrl(source)} refused: ${guard.refusal}.`);
      throw new EngineError('DOWNLOAD_FAILED', describeDownloadError(redactUrl(source), err));
    }
  });
  if (spec.sha256)
    await verifySha256(file, spec.sha256, modelsDirectory, signal, { downloaded: true, source: redactUrl(source) });
  return file;
}

/**
 * Throws unless `file` has the SHA-256 `expected`. A downloaded file that fails is deleted so it is never
 * loaded (the next load downloads it again); a writer's own file is left where it is, untouched.
 */
export async function verifySha256(
  file: string,
  expected: string,
  modelsDirectory: string,
  signal: AbortSignal,
  how: { downloaded: boolean; source: string },
): Promise<void> {
  let actual: string;
  try {
    actual = (await fileSha256(file, modelsDirectory ? hashCacheDirectory(modelsDirectory) : undefined, signal)).sha256;
  } catch (err) {
    if (signal.aborted) throw new EngineError('CANCELLED', `Checking the SHA-256 of ${file} was cancelled.`);
    throw new EngineError('MODEL_NOT_FOUND', `Could not read ${file} to check its SHA-256: ${(err as Error).message}`);
  }
  if (actual === expected.toLowerCase()) return;
  if (how.downloaded) {
    await rm(file, { force: true });
    throw new EngineError(
      'DOWNLOAD_FAILED',
      `The file downloaded from ${how.source} has SHA-256 ${actual}, not the ${expected} the spec asks for: it ` +
        `was deleted and not loaded. Check the hash in the spec, or the source.`,
    );
  }
  throw new EngineError(
    'MODEL_LOAD_FAILED',
    `${file} has SHA-256 ${actual}, not the ${expected} the spec asks for: it was not loaded (the file is left as ` +
      `it is).`,
  );
}

export function describeDownloadError(source: string, err: unknown): string {
  const e = err as { statusCode?: unknown; status?: unknown; message?: unknown } | undefined;
  const status =
    typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.status === 'number' ? e.status : undefined;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (status !== undefined) return `Download of ${source} failed: HTTP ${status} (${msg})`;
  return `Download of ${source} failed: ${msg}. Loading it again resumes the download.`;
}
