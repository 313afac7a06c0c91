// Shared test fixtures: random-weight GGUF models generated at run time (no binaries in git).
//
//   import { testModels, testEngineOptions } from './helpers/test-models';
//   const { tiny } = await testModels();                       // paths; generated once per test process
//   const engine = new EngineClient(testEngineOptions());      // 1 thread, CPU, small context
//
// Files live in os.tmpdir()/cpt-writer-test-models/ and are written again the first time a process asks
// for them (cheap: the tiny model takes ~0.1 s), so a changed writer never leaves stale models behind.
// Each process writes beside the file and replaces it only when the bytes differ: test processes run side
// by side, and a file rewritten in place under another process (a new mtime, a half-written model) would
// fail its reads and invalidate its prompt-cache entries.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { EngineClientOptions } from '../../../src/core/engine/types';
import { type TestModelOptions, writeTestLora, writeTestModel } from '../../../src/core/testmodel';

export const TEST_MODELS_DIR = path.join(os.tmpdir(), 'cpt-writer-test-models');

export interface TestModelPaths {
  /** The default tiny model (2 layers, 64 wide, ~650-token vocab, ~350 KB). */
  tiny: string;
  /** A rank-4 LoRA adapter for `tiny`. */
  tinyLora: string;
  /** A file with a .gguf name that is not GGUF (for error tests). */
  notGguf: string;
}

const made = new Map<string, Promise<string>>();

function once(key: string, make: (file: string) => Promise<unknown>): Promise<string> {
  let p = made.get(key);
  if (!p) {
    const file = path.join(TEST_MODELS_DIR, key);
    p = mkdir(TEST_MODELS_DIR, { recursive: true })
      .then(() => writeIfChanged(file, make))
      .then(() => file);
    made.set(key, p);
  }
  return p;
}

async function writeIfChanged(file: string, make: (file: string) => Promise<unknown>): Promise<void> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await make(temp);
    const [fresh, current] = await Promise.all([readFile(temp), readFile(file).catch(() => undefined)]);
    if (current && fresh.equals(current)) return;
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

const keyOf = (options: TestModelOptions) =>
  createHash('sha256').update(JSON.stringify(options)).digest('hex').slice(0, 12);

/** The path of a random-weight model with these options, generated once per process. */
export function testModel(options: TestModelOptions = {}): Promise<string> {
  return once(`model-${keyOf(options)}.gguf`, (f) => writeTestModel(f, options));
}

/** The path of a LoRA adapter of `rank` for the model with these options, generated once per process. */
export function testLora(rank = 4, options: TestModelOptions = {}): Promise<string> {
  return once(`lora-r${rank}-${keyOf(options)}.gguf`, (f) => writeTestLora(f, rank, options));
}

/** The standard fixtures. */
export async function testModels(): Promise<TestModelPaths> {
  const [tiny, tinyLora, notGguf] = await Promise.all([
    testModel(),
    testLora(4),
    once('not-a-model.gguf', (f) => writeFile(f, 'this is plain text, not a GGUF model\n')),
  ]);
  return { tiny, tinyLora, notGguf };
}

/** EngineClient options for tests on a shared small CPU box: 1 thread, CPU only, 1024-token context. */
export function testEngineOptions(extra: EngineClientOptions = {}): EngineClientOptions {
  return {
    gpu: 'off',
    gpuLayers: 0,
    threads: 1,
    contextSize: 1024,
    modelsDirectory: path.join(TEST_MODELS_DIR, 'downloads'),
    ...extra,
  };
}
