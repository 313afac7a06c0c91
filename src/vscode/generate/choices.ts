// What Generate Preference Data… asks for, one step at a time: rubrics, levels, the input file, the
// teacher and the output folder. Every step can be given up front (the command's argument object, for
// tests, tasks and keybindings); only the missing ones are asked. An endpoint's API key is never asked
// for: only the NAME of the environment variable that holds it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InputKind } from '../../core/generate';
import { isEndpointSpec } from '../../core/endpoint';
import { LEVELS, type Level } from '../../core/rubrics';
import type { RubricService } from '../rubrics/rubric-service';

export type TeacherChoice =
  /** The model the editor rewrites with (loaded if needed). */
  | { kind: 'current' }
  /** Another GGUF (path, https: URL or hf: URI), run in a second engine process for this run. */
  | { kind: 'gguf'; spec: string }
  /**
   * An OpenAI-compatible server: its API root, the model it serves, and the variable holding its key (if it needs one).
   */
  | { kind: 'endpoint'; url: string; model: string; apiKeyEnv?: string };

export interface GenerateChoices {
  rubricIds: string[];
  levels: Level[];
  input: { kind: InputKind; file: string };
  teacher: TeacherChoice;
  outDir: string;
}

/** What the command accepts as its argument: any of the choices (the rest is asked), and a cancel signal. */
export interface GenerateArgs extends Partial<GenerateChoices> {
  /** Cancels like the progress notification's Cancel button. */
  signal?: AbortSignal;
}

/** The levels in "1,3,5", or why not (at least two distinct levels from 1 to 5). */
export function parseLevels(text: string): Level[] | string {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const levels: Level[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!(LEVELS as readonly number[]).includes(n)) return vscode.l10n.t('"{0}" is not a level (1 to 5)', p);
    if (!levels.includes(n as Level)) levels.push(n as Level);
  }
  if (levels.length < 2)
    return vscode.l10n.t('give at least two levels: pairs contrast outputs written at different levels');
  return levels.sort((a, b) => a - b);
}

function isTeacher(v: unknown): v is TeacherChoice {
  if (!v || typeof v !== 'object') return false;
  const t = v as Record<string, unknown>;
  if (t.kind === 'current') return true;
  if (t.kind === 'gguf') return typeof t.spec === 'string' && t.spec.trim() !== '';
  if (t.kind === 'endpoint') {
    return (
      typeof t.url === 'string' &&
      typeof t.model === 'string' &&
      (t.apiKeyEnv === undefined || typeof t.apiKeyEnv === 'string')
    );
  }
  return false;
}

/** Reads the command's optional argument object; what is malformed is left out (and then asked). */
export function parseGenerateArgs(arg: unknown): GenerateArgs {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown>;
  const out: GenerateArgs = {};
  if (Array.isArray(a.rubricIds) && a.rubricIds.every((r) => typeof r === 'string') && a.rubricIds.length)
    out.rubricIds = a.rubricIds as string[];
  if (Array.isArray(a.levels)) {
    const levels = parseLevels(a.levels.join(','));
    if (typeof levels !== 'string') out.levels = levels;
  }
  const input = a.input as Record<string, unknown> | undefined;
  if (input && (input.kind === 'texts' || input.kind === 'tasks') && typeof input.file === 'string')
    out.input = { kind: input.kind, file: input.file };
  if (isTeacher(a.teacher)) out.teacher = a.teacher;
  if (typeof a.outDir === 'string' && a.outDir.trim()) out.outDir = a.outDir;
  if (a.signal instanceof AbortSignal) out.signal = a.signal;
  return out;
}

/** Remembered between runs (globalState): the last answers are offered again. */
export interface Remembered {
  levels?: string;
  endpointUrl?: string;
  endpointModel?: string;
  apiKeyEnv?: string;
  outDir?: string;
}

const title = (step: string) => vscode.l10n.t('CPT Writer: Generate Preference Data — {0}', step);

async function askRubrics(rubrics: RubricService): Promise<string[] | undefined> {
  const { rubrics: list, problems } = await rubrics.list();
  rubrics.reportProblems(problems);
  if (!list.length) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('CPT Writer: no rubric could be loaded. See the log for the problems.'),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((r) => ({ label: r.title, description: r.id, detail: r.summary, id: r.id })),
    {
      title: title(vscode.l10n.t('rubrics')),
      placeHolder: vscode.l10n.t('The styles to write the data for (one or more)'),
      canPickMany: true,
      matchOnDescription: true,
    },
  );
  return picked?.length ? picked.map((p) => p.id) : undefined;
}

async function askLevels(remembered: Remembered): Promise<Level[] | undefined> {
  const text = await vscode.window.showInputBox({
    title: title(vscode.l10n.t('levels')),
    prompt: vscode.l10n.t(
      "Levels the teacher writes each input at (1 = the rubric's lowest, 5 = its highest); 1,3,5 are the CPT " +
        "paper's targets",
    ),
    value: remembered.levels ?? '1,3,5',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parseLevels(v);
      return typeof r === 'string' ? r : undefined;
    },
  });
  if (text === undefined) return undefined;
  const levels = parseLevels(text);
  return typeof levels === 'string' ? undefined : levels;
}

async function askInput(): Promise<{ kind: InputKind; file: string } | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      {
        label: vscode.l10n.t('Passages to rewrite'),
        description: 'texts',
        detail: vscode.l10n.t('One passage a line, or JSONL {"id","text"}: each is rewritten as the editor would'),
        input: 'texts' as const,
      },
      {
        label: vscode.l10n.t('Writing prompts'),
        description: 'tasks',
        detail: vscode.l10n.t('JSONL {"id","prompt"}: free writing tasks, as in the CPT paper'),
        input: 'tasks' as const,
      },
    ],
    { title: title(vscode.l10n.t('input')), placeHolder: vscode.l10n.t('What the teacher writes from') },
  );
  if (!kind) return undefined;
  const files = await vscode.window.showOpenDialog({
    title: title(kind.input === 'texts' ? vscode.l10n.t('passages file') : vscode.l10n.t('prompts file')),
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    filters:
      kind.input === 'texts'
        ? { [vscode.l10n.t('Text or JSONL')]: ['txt', 'jsonl', 'md'], [vscode.l10n.t('All files')]: ['*'] }
        : { JSONL: ['jsonl'], [vscode.l10n.t('All files')]: ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const file = files?.[0]?.fsPath;
  return file ? { kind: kind.input, file } : undefined;
}

export function validateEndpointUrl(v: string): string | undefined {
  const s = v.trim();
  if (!/^https?:\/\//i.test(s))
    return vscode.l10n.t("An http:// or https:// URL: the server's API root, usually ending in /v1");
  try {
    new URL(s);
  } catch {
    return vscode.l10n.t('That URL is not valid');
  }
  // The same rule the run applies: an http(s) URL of a .gguf file is a model to download, not a server.
  if (!isEndpointSpec(s)) return vscode.l10n.t('That is a model file: choose "Another GGUF model…" for it');
  return undefined;
}

async function askTeacher(
  currentModel: string | undefined,
  remembered: Remembered,
): Promise<TeacherChoice | undefined> {
  type Item = vscode.QuickPickItem & { teacher: TeacherChoice['kind'] };
  const items: Item[] = [
    {
      label: `$(check) ${vscode.l10n.t('The current model')}`,
      description: currentModel ?? vscode.l10n.t('none selected'),
      detail: vscode.l10n.t('The model you rewrite with, in the engine that is already running'),
      teacher: 'current',
    },
    {
      label: `$(file) ${vscode.l10n.t('Another GGUF model…')}`,
      detail: vscode.l10n.t('A .gguf file, https: URL or hf: URI, run in its own engine process for this run'),
      teacher: 'gguf',
    },
    {
      label: `$(cloud) ${vscode.l10n.t('An OpenAI-compatible server…')}`,
      detail: vscode.l10n.t('vLLM, llama-server, Ollama, LM Studio or a hosted API, by its API root and model name'),
      teacher: 'endpoint',
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: title(vscode.l10n.t('teacher')),
    placeHolder: vscode.l10n.t('Who writes the outputs'),
  });
  if (!picked) return undefined;
  if (picked.teacher === 'current') return { kind: 'current' };
  if (picked.teacher === 'gguf') {
    const files = await vscode.window.showOpenDialog({
      title: title(vscode.l10n.t('teacher model')),
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      filters: { [vscode.l10n.t('GGUF models')]: ['gguf'] },
    });
    const spec = files?.[0]?.fsPath;
    return spec ? { kind: 'gguf', spec } : undefined;
  }
  const url = await vscode.window.showInputBox({
    title: title(vscode.l10n.t('server')),
    prompt: vscode.l10n.t("The server's API root (e.g. http://localhost:8000/v1)"),
    value: remembered.endpointUrl ?? '',
    ignoreFocusOut: true,
    validateInput: validateEndpointUrl,
  });
  if (!url) return undefined;
  const model = await vscode.window.showInputBox({
    title: title(vscode.l10n.t('server model')),
    prompt: vscode.l10n.t('The model name the server serves (e.g. Qwen/Qwen2.5-72B-Instruct)'),
    value: remembered.endpointModel ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The server needs a model name')),
  });
  if (!model) return undefined;
  // A key, when the server needs one, is read from SecretStorage (Set API Key…) when the run starts.
  return {
    kind: 'endpoint',
    url: url.trim(),
    model: model.trim(),
  };
}

async function askOutDir(remembered: Remembered): Promise<string | undefined> {
  const base = remembered.outDir
    ? vscode.Uri.file(path.dirname(remembered.outDir))
    : vscode.workspace.workspaceFolders?.[0]?.uri;
  const picked = await vscode.window.showOpenDialog({
    title: title(vscode.l10n.t('output folder (the same folder again continues a run)')),
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: vscode.l10n.t('Write the data here'),
    defaultUri: base,
  });
  return picked?.[0]?.fsPath;
}

/** Asks for whatever `given` lacks, in order; undefined as soon as the writer backs out. */
export async function askChoices(
  rubrics: RubricService,
  given: GenerateArgs,
  currentModel: string | undefined,
  remembered: Remembered,
): Promise<GenerateChoices | undefined> {
  const rubricIds = given.rubricIds ?? (await askRubrics(rubrics));
  if (!rubricIds) return undefined;
  const levels = given.levels ?? (await askLevels(remembered));
  if (!levels) return undefined;
  const input = given.input ?? (await askInput());
  if (!input) return undefined;
  const teacher = given.teacher ?? (await askTeacher(currentModel, remembered));
  if (!teacher) return undefined;
  const outDir = given.outDir ?? (await askOutDir(remembered));
  if (!outDir) return undefined;
  return { rubricIds, levels, input, teacher, outDir };
}
