// The palette flow as a writer does it: open a sample, select a sentence, F1 → "CPT Writer: Rewrite
// Selection…", pick a rubric and a level in the two Quick Picks, skip the optional note with Enter, wait
// for the streamed preview, accept it with the link in the preview zone, see the document change (on
// screen and, after Ctrl+S, on disk), and undo it with one Ctrl+Z (and that the packaged engine lists its
// backends: Vulkan in the VSIX); then the same from the keyboard. The model is a random-weight test model, so only the
// structure
// of the change is asserted.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  type E2EContext,
  activeEditor,
  openFromExplorer,
  quickInput,
  quickPickRow,
  saveAndRead,
  selectLine,
  typeInPalette,
  visibleText,
  waitForWorkbench,
  waitUntil,
} from '../host/e2e-helpers';

const FILE = 'blog-post.md';
const SENTENCE = 'So basically we just kind of stopped doing it one week and honestly nobody noticed for like a month.';

export async function paletteRewriteAcceptUndo({
  page,
  workspace,
  runDir,
  screenshot,
  log,
}: E2EContext): Promise<void> {
  const file = path.join(workspace, FILE);
  const original = fs.readFileSync(file, 'utf8');
  const line = original.split('\n').indexOf(SENTENCE) + 1;
  assert.ok(line > 0, `the sample ${FILE} no longer contains the test sentence`);

  await waitForWorkbench(page, FILE);
  await screenshot('workbench');
  await openFromExplorer(page, FILE);
  await selectLine(page, line);
  await waitUntil(
    'the sentence to be selected',
    () => activeEditor(page).locator('.selected-text').count(),
    (n) => n > 0,
  );
  await screenshot('sentence-selected');

  await typeInPalette(page, 'CPT Writer: Rewrite Selection');
  const command = quickPickRow(page, /^CPT Writer: Rewrite Selection…$/);
  await command.waitFor({ timeout: 30_000 });
  await screenshot('command-palette');
  await command.click();

  // Quick Pick 1/2: the rubric. Type to filter, as a person does, then take the row.
  const rubricRow = quickPickRow(page, /^Concision$/);
  await rubricRow.waitFor({ timeout: 30_000 });
  await quickInput(page).pressSequentially('Concision', { delay: 10 });
  await screenshot('rubric-pick');
  await rubricRow.click();

  // Quick Pick 2/2: the level.
  const levelRow = quickPickRow(page, /^5 · Telegraphic$/);
  await levelRow.waitFor({ timeout: 30_000 });
  await screenshot('level-pick');
  await levelRow.click();

  // The optional note: Enter on the empty box skips it.
  const noNote = quickPickRow(page, /No note$/);
  await noNote.waitFor({ timeout: 30_000 });
  await screenshot('note-pick');
  await page.keyboard.press('Enter');
  log('picked Concision, level 5, no note; waiting for the preview');

  // The preview: the proposal in a zone below the sentence with its actions as links, the same actions
  // as CodeLenses above it; the document is untouched.
  const accept = page.locator('.review-widget .comment-body a', { hasText: /^Accept/ }).first();
  await accept.waitFor({ timeout: 180_000 });
  await page
    .locator('.codelens-decoration a', { hasText: /^Accept/ })
    .first()
    .waitFor({ timeout: 10_000 });
  assert.ok((await visibleText(page)).includes(SENTENCE), 'the preview must not change the document');
  assert.strictEqual(fs.readFileSync(file, 'utf8'), original);
  await screenshot('preview');

  await accept.click();
  await checkAcceptedThenUndo({ page, screenshot, log } as E2EContext, file, original, SENTENCE);
  await checkPackagedBackends(runDir, log);
}

/**
 * The engine of the installed linux-x64 VSIX lists the backends it has (the model service's log line,
 * also shown in the model's tooltip): the Vulkan binary is in the package beside the CPU one, CUDA is
 * not, and the run is on the CPU (`gpu: off` here; this machine has no GPU).
 */
async function checkPackagedBackends(runDir: string, log: E2EContext['log']): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error('the e2e stage packages and checks the linux-x64 VSIX');
  const logs = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? logs(p) : e.name.endsWith('CPT Writer.log') ? [p] : [];
    });
  const line = await waitUntil(
    "the engine's backends in the CPT Writer log",
    () =>
      logs(runDir)
        .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
        .find((l) => /\] backends: /.test(l)),
    (l) => !!l,
    30_000,
  );
  log(line!.trim());
  // Where each binary was found: the installed extension's own node_modules for the CPU and Vulkan. (The
  // run folder lies inside this checkout, so a package the VSIX lacks may still resolve from the
  // checkout's node_modules further up: CUDA must then come from there, never from the extension.)
  const extensions = path.join(runDir, 'extensions');
  const binsOf = (backend: string) =>
    new RegExp(`${backend} \\(binary in ([^,]+), drivers (found|not found)\\)`).exec(line!)?.[1];
  for (const backend of ['cpu', 'vulkan']) {
    const bins = binsOf(backend);
    assert.ok(
      bins &&
        bins.startsWith(extensions) &&
        bins.includes(`${path.sep}node_modules${path.sep}@node-llama-cpp${path.sep}`),
      `${backend} is not found in the installed extension: ${bins}`,
    );
  }
  const cuda = binsOf('cuda');
  assert.ok(!cuda || !cuda.startsWith(extensions), `the VSIX must not carry CUDA: ${cuda}`);
}

/** Same round trip from the keyboard: Ctrl+Alt+R rewrites with the current style, Ctrl+Enter accepts. */
export async function keybindingRewriteAcceptUndo({ page, workspace, screenshot, log }: E2EContext): Promise<void> {
  const name = 'email.txt';
  const sentence = "Let me know if Wednesday is fine and I'll send a new invite.";
  const file = path.join(workspace, name);
  const original = fs.readFileSync(file, 'utf8');
  const line = original.split('\n').indexOf(sentence) + 1;
  assert.ok(line > 0, `the sample ${name} no longer contains the test sentence`);

  await waitForWorkbench(page, name);
  await openFromExplorer(page, name);
  await selectLine(page, line);
  await waitUntil(
    'the sentence to be selected',
    () => activeEditor(page).locator('.selected-text').count(),
    (n) => n > 0,
  );
  await page.keyboard.press('Control+Alt+R');
  await page
    .locator('.codelens-decoration a', { hasText: /^Accept/ })
    .first()
    .waitFor({ timeout: 180_000 });
  assert.strictEqual(fs.readFileSync(file, 'utf8'), original, 'the preview must not write to the document');
  await screenshot('preview');
  await page.keyboard.press('Control+Enter');
  await checkAcceptedThenUndo({ page, screenshot, log } as E2EContext, file, original, sentence);
}

/**
 * After an accept: the sentence is gone from the editor and the preview's CodeLens with it; saved, only
 * the selected text differs from the original; one Ctrl+Z (and a save) gives back the original exactly.
 */
async function checkAcceptedThenUndo(
  { page, screenshot, log }: E2EContext,
  file: string,
  original: string,
  sentence: string,
): Promise<void> {
  await waitUntil(
    'the sentence to be replaced in the editor',
    () => visibleText(page),
    (t) => !t.includes(sentence),
  );
  await page
    .locator('.codelens-decoration a', { hasText: /^Accept/ })
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 });
  await screenshot('accepted');
  const saved = await saveAndRead(page, file, (t) => t !== original, 'the accepted rewrite to reach the file');
  const start = original.indexOf(sentence);
  const tail = original.slice(start + sentence.length);
  assert.ok(saved.startsWith(original.slice(0, start)), 'text before the selection changed');
  assert.ok(saved.endsWith(tail), 'text after the selection changed');
  const replacement = saved.slice(start, saved.length - tail.length);
  assert.notStrictEqual(replacement, sentence);
  assert.ok(replacement.trim().length > 0, 'the accepted rewrite is empty');
  log(`accepted rewrite: ${JSON.stringify(replacement.slice(0, 120))}`);

  await activeEditor(page).locator('.view-lines').click();
  await page.keyboard.press('Control+Z');
  await waitUntil(
    'one undo to restore the sentence',
    () => visibleText(page),
    (t) => t.includes(sentence),
  );
  await saveAndRead(page, file, (t) => t === original, 'the file to match the original after undo');
  await screenshot('undone');
}
