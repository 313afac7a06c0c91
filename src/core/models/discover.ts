// The one "which models are already on this computer?" use case: GGUF files in CPT Writer's models
// folder, Ollama's store, LM Studio's folders, the Hugging Face hub cache and llama.cpp's cache. A
// source that is not there is skipped without a word; one that cannot be read, a manifest naming a
// missing blob and a file whose GGUF header is broken or truncated are problems, each naming its file.
import { realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { precheckGguf } from '../engine/gguf-precheck';
import { errorMessage } from '../errors';
import { silentLogger, type Logger } from '../log';
import { fileTypeName, isNotAModel, quantizationFromName, readGgufGeneral } from './gguf-general';
import { scanOllama } from './ollama';
import { SOURCE_LABELS, sourceRoots, type ModelSourceId, type SourceEnvironment, type SourceRoot } from './sources';
import { DEFAULT_WALK_LIMITS, readProblem, walkGguf, type WalkLimits } from './walk';

export interface LocalModel {
  /** What the source calls it: Ollama's model:tag, owner/repo/file for a hub cache, the path inside a folder. */
  name: string;
  source: ModelSourceId;
  /** The source's readable name ("LM Studio"). */
  sourceLabel: string;
  /** From the header's general.file_type, else from the file name; undefined when neither says. */
  quantization?: string;
  sizeBytes: number;
  /** The file to load, used in place. */
  path: string;
  architecture?: string;
}

export interface LocalModelProblem {
  source: ModelSourceId;
  path: string;
  message: string;
}

export interface LocalModelScan {
  models: LocalModel[];
  problems: LocalModelProblem[];
  /** Every root looked at, and what was found there. */
  roots: Array<SourceRoot & { state: 'absent' | 'read' | 'unreadable' }>;
}

export interface FindLocalModelsOptions extends Partial<SourceEnvironment> {
  limits?: Partial<WalkLimits>;
  logger?: Logger;
}

/** Parts 2 and later of a split GGUF: llama.cpp loads them through the first part. */
const LATER_SPLIT_PART = /-(\d{5})-of-\d{5}\.gguf$/i;

/** A readable name for a file found under a folder: a hub layout's owner/repo/file, else the relative path. */
export function nameInFolder(root: string, file: string): string {
  const rel = path.relative(root, file).split(path.sep);
  const hub = rel.findIndex((p) => /^models--/.test(p));
  if (hub >= 0 && rel[hub + 1] === 'snapshots' && rel.length > hub + 3) {
    const repo = rel[hub].slice('models--'.length).split('--').join('/');
    return [repo, ...rel.slice(hub + 3)].join('/');
  }
  return rel.join('/');
}

export async function findLocalModels(options: FindLocalModelsOptions = {}): Promise<LocalModelScan> {
  const env: SourceEnvironment = {
    env: options.env ?? process.env,
    home: options.home ?? os.homedir(),
    platform: options.platform ?? process.platform,
    ...(options.modelsDirectory ? { modelsDirectory: options.modelsDirectory } : {}),
  };
  const limits = { ...DEFAULT_WALK_LIMITS, ...options.limits };
  const logger = options.logger ?? silentLogger;
  const scan: LocalModelScan = { models: [], problems: [], roots: [] };
  const seen = new Set<string>();
  const problem = (source: ModelSourceId, p: string, message: string) => {
    scan.problems.push({ source, path: p, message });
    logger.warn(`Models on disk (${SOURCE_LABELS[source]}): ${p}: ${message}`);
  };

  for (const r of sourceRoots(env)) {
    const st = await stat(r.root).catch((err: NodeJS.ErrnoException) => err);
    if (st instanceof Error) {
      const absent = st.code === 'ENOENT';
      scan.roots.push({ ...r, state: absent ? 'absent' : 'unreadable' });
      if (!absent) problem(r.source, r.root, `cannot be read: ${readProblem(st)}`);
      continue;
    }
    if (!st.isDirectory()) {
      scan.roots.push({ ...r, state: 'unreadable' });
      problem(r.source, r.root, 'is not a folder');
      continue;
    }
    scan.roots.push({ ...r, state: 'read' });
    let candidates: Array<{ name: string; file: string; size?: number }>;
    if (r.layout === 'ollama') {
      const found = await scanOllama(r.root, limits);
      for (const p of found.problems) problem(r.source, p.path, p.message);
      candidates = found.models.map((m) => ({ name: m.name, file: m.blob }));
    } else {
      const found = await walkGguf(r.root, limits);
      for (const p of found.problems) problem(r.source, p.path, `cannot be read: ${p.message}`);
      candidates = found.files
        .filter((f) => {
          const part = LATER_SPLIT_PART.exec(f);
          return !part || Number(part[1]) === 1;
        })
        .map((f) => ({ name: nameInFolder(r.root, f), file: f }));
    }
    for (const c of candidates) {
      const model = await inspect(r.source, c.name, c.file, seen, problem, logger);
      if (model) scan.models.push(model);
    }
  }
  return scan;
}

/** One candidate file: checked, classified and described, or a problem; undefined when it is left out. */
async function inspect(
  source: ModelSourceId,
  name: string,
  file: string,
  seen: Set<string>,
  problem: (source: ModelSourceId, p: string, message: string) => void,
  logger: Logger,
): Promise<LocalModel | undefined> {
  try {
    // One file reached from two sources (a symlink, a shared cache) is listed once, where first seen.
    const real = await realpath(file);
    if (seen.has(real)) return undefined;
    seen.add(real);
    const header = await precheckGguf(file);
    const general = await readGgufGeneral(file);
    if (isNotAModel(general)) {
      logger.debug(
        `Models on disk: ${file} is not a model (${general.type ?? general.adapterType ?? general.architecture})`,
      );
      return undefined;
    }
    const quantization = fileTypeName(general.fileType) ?? quantizationFromName(path.basename(name));
    return {
      name,
      source,
      sourceLabel: SOURCE_LABELS[source],
      ...(quantization ? { quantization } : {}),
      sizeBytes: header.fileSize,
      path: file,
      ...(general.architecture ? { architecture: general.architecture } : {}),
    };
  } catch (err) {
    // Header errors start with the file's path; the problem names it already.
    const message = errorMessage(err);
    problem(source, file, `${name}: ${message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message}`);
    return undefined;
  }
}
