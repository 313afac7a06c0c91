// `cpt-writer models [--json] [--models-dir DIR]`: the GGUF models already on this computer, to pass to
// --model as they are (no copy, no download).
import { parseArgs } from 'node:util';
import { defineCommand } from '../command';
import { defaultModelsDirectory } from '../../core/engine';
import { findLocalModels, humanSize, type LocalModelScan } from '../../core/models';
import { terminalSafe } from '../terminal-text';

const USAGE = `usage: cpt-writer models [--json] [--models-dir DIR]

Lists the GGUF models already on this computer: in the models folder (--models-dir, default
~/.cache/cpt-writer/models), Ollama's store ($OLLAMA_MODELS or ~/.ollama/models), LM Studio's
(~/.lmstudio/models, ~/.cache/lm-studio/models), the Hugging Face hub cache ($HF_HUB_CACHE, $HF_HOME/hub
or ~/.cache/huggingface/hub) and llama.cpp's cache ($LLAMA_CACHE or the platform's cache folder).
One model a line: name, source, quantization, size, path; give the path to --model as it is.
Vision projectors and LoRA adapters are left out. A source that is not there is skipped; one that
cannot be read, a manifest naming a missing blob and a broken or truncated GGUF are printed to stderr
as PATH: message (the exit status stays 0: those files belong to other programs).

  --json            one JSON document: {"models":[{name,source,quantization,sizeBytes,path,...}],
                    "problems":[{source,path,message}],"roots":[{source,root,state}]}
  --models-dir DIR  CPT Writer's models folder to include
  -h, --help        show this help`;

/** The text table: one line a model, columns padded; every field made terminal-safe and one line. */
export function formatModels(scan: LocalModelScan): string {
  const clean = (s: string) => terminalSafe(s).replace(/\s+/g, ' ');
  const rows = scan.models.map((m) => [
    clean(m.name),
    m.sourceLabel,
    m.quantization ? clean(m.quantization) : '-',
    humanSize(m.sizeBytes),
    clean(m.path),
  ]);
  if (!rows.length) return '';
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ')).join('\n') + '\n';
}

export const modelsCommand = defineCommand({
  name: 'models',
  summary: 'list GGUF models already on disk (models folder, Ollama, LM Studio, HF and llama.cpp caches)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        'models-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const scan = await findLocalModels({ modelsDirectory: values['models-dir'] || defaultModelsDirectory() });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(scan, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(formatModels(scan));
    if (!scan.models.length) {
      const looked = scan.roots.map((r) => r.root).join(', ');
      process.stderr.write(`cpt-writer models: no GGUF models found (looked in ${terminalSafe(looked)})\n`);
    }
    for (const p of scan.problems) process.stderr.write(`${terminalSafe(`${p.path}: ${p.message}`)}\n`);
    return 0;
  },
});
