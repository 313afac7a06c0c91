// Turns a model spec into a local GGUF path, downloading with node-llama-cpp's own downloader (ipull):
// it writes to a temporary file and, because we keep that file on failure, the next load resumes it.
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { mkdir } from 'node:fs/promises';
import { type ModelSpec } from './model-spec';
import { EngineError, type LoadProgress } from './types';

type Nlc = typeof NodeLlamaCpp;

export async function resolveModelSpecToFile(
  nlc: Nlc,
  spec: ModelSpec,
  modelsDirectory: string,
  onProgress: (p: LoadProgress) => void,
  signal: AbortSignal,
): Promise<string> {
  if (spec.kind === 'file') return spec.path;
  const source = spec.kind === 'url' ? spec.url : spec.uri;
  if (!modelsDirectory) throw new EngineError('DOWNLOAD_FAILED', `No models directory is set to download ${source} into.`);
  await mkdir(modelsDirectory, { recursive: true });
  try {
    return await nlc.resolveModelFile(source, {
      directory: modelsDirectory,
      ...(spec.kind === 'url' ? { fileName: spec.fileName } : {}),
      cli: false,
      deleteTempFileOnCancel: false,
      signal,
      onProgress: ({ totalSize, downloadedSize }) => onProgress({
        phase: 'download',
        fraction: totalSize > 0 ? Math.min(1, downloadedSize / totalSize) : 0,
        downloadedBytes: downloadedSize,
        totalBytes: totalSize,
      }),
    });
  } catch (err) {
    if (signal.aborted) throw new EngineError('CANCELLED', `Download of ${source} was cancelled; loading it again resumes it.`);
    throw new EngineError('DOWNLOAD_FAILED', describeDownloadError(source, err));
  }
}

export function describeDownloadError(source: string, err: unknown): string {
  const e = err as { statusCode?: unknown; status?: unknown; message?: unknown } | undefined;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.status === 'number' ? e.status : undefined;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (status !== undefined) return `Download of ${source} failed: HTTP ${status} (${msg})`;
  return `Download of ${source} failed: ${msg}. Loading it again resumes the download.`;
}
