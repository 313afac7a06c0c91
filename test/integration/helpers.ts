// Shared helpers for the in-host tests: the extension's test API, documents, settings and waiting.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CptWriterApi, CptWriterTestApi } from '../../src/vscode/api';
import type { ScriptedOptions } from './scripted-engine';
import { ScriptedEngine } from './scripted-engine';

export async function getApi(): Promise<CptWriterTestApi> {
  const ext = vscode.extensions.getExtension<CptWriterApi>('cpt-writer.cpt-writer');
  assert.ok(ext, 'the extension cpt-writer.cpt-writer is not installed in this host');
  const api = await ext.activate();
  // Present only in ExtensionMode.Test, which VS Code gives a development host run with --extensionTestsPath.
  assert.ok(api?.testing, 'activate() returned no test API: is the host running the extension in ExtensionMode.Test?');
  return api as CptWriterTestApi;
}

export function testModelPath(): string {
  const model = process.env.CPT_WRITER_TEST_MODEL;
  assert.ok(model, 'CPT_WRITER_TEST_MODEL is not set');
  return model;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('cptWriter').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Installs a fresh scripted engine and makes sure a model is configured, so no picker opens. */
export async function useScriptedEngine(api: CptWriterTestApi, options: ScriptedOptions = {}): Promise<ScriptedEngine> {
  const engine = new ScriptedEngine(options);
  if (!vscode.workspace.getConfiguration('cptWriter').get<string>('model')) await setSetting('model', testModelPath());
  await api.testing.setEngineFactory(() => engine);
  return engine;
}

let docCounter = 0;
let docDir: string | undefined;

/**
 * Opens `content` as a file with a name never used before in this run. Untitled documents reuse names
 * (Untitled-1…), and a late revert of a closed one could then land on the next test's document.
 */
export async function openDoc(content: string, language = 'markdown'): Promise<vscode.TextEditor> {
  docDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cpt-writer-docs-'));
  const ext = language === 'markdown' ? 'md' : language === 'latex' ? 'tex' : 'txt';
  const file = path.join(docDir, `doc-${++docCounter}.${ext}`);
  fs.writeFileSync(file, content);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  assert.strictEqual(doc.getText(), content);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Selects the first occurrence of `text` in the editor. */
export function select(editor: vscode.TextEditor, text: string): vscode.Selection {
  const at = editor.document.getText().indexOf(text);
  assert.ok(
    at >= 0,
    `"${text}" is not in the document ${editor.document.uri.toString()}: ` +
      `${JSON.stringify(editor.document.getText().slice(0, 300))}`,
  );
  const sel = new vscode.Selection(editor.document.positionAt(at), editor.document.positionAt(at + text.length));
  editor.selection = sel;
  return sel;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Ends any open rewrite and closes editors, so tests do not leak into each other. */
export async function cleanUp(api: CptWriterTestApi): Promise<void> {
  api.testing.services.rewrite.cancel();
  // Reverting first: closing a modified untitled document would ask to save it and block the run.
  for (let i = 0; i < 20 && vscode.window.tabGroups.all.some((g) => g.tabs.length > 0); i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

/** Messages shown after index `from`. */
export function messagesSince(api: CptWriterTestApi, from: number) {
  return api.testing.messages().slice(from);
}

/** A feedback log's events, oldest first (none while nothing has been logged to it). */
export function readFeedbackEvents(file: string): Record<string, unknown>[] {
  return fs.existsSync(file) ? readJsonl(file) : [];
}

/** Every line of a JSONL file the extension wrote (samples, events), parsed; a missing file throws. */
export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/**
 * The hooks of a suite that rewrites with feedback on: the API and a fresh log file the settings point at
 * (read `api` and `feedbackFile` inside the tests), clean editors after each test, and the engine and the
 * log setting back to their defaults at the end.
 */
export function useFeedbackLog(prefix: string): { api: CptWriterTestApi; feedbackFile: string } {
  const suite = {} as { api: CptWriterTestApi; feedbackFile: string };
  before(async () => {
    suite.api = await getApi();
    suite.feedbackFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), prefix)), 'feedback.jsonl');
    await setSetting('feedback.path', suite.feedbackFile);
    await setSetting('feedback.enabled', true);
  });
  afterEach(async () => cleanUp(suite.api));
  after(async () => {
    await suite.api.testing.setEngineFactory(undefined);
    await setSetting('feedback.path', undefined);
  });
  return suite;
}
