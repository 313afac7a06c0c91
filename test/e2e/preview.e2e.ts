// The preview as a writer meets it, in the real VS Code at 1400×900: the cursor in a 600-character
// Markdown paragraph (one line, wrapped by the editor), Ctrl+Alt+R, and the whole proposal readable in
// the zone below the paragraph, its last word on screen, in the dark and the light theme. While that
// preview is open, Ctrl+Enter, Ctrl+Backspace and Ctrl+Shift+Backspace in a second editor do what they
// always do there and nothing to the preview or the feedback log. While a rewrite streams, Escape closes
// the suggest widget first and cancels the rewrite only when pressed again. The model is a random-weight
// test model, so the proposal is gibberish of a known length, and only its layout is asserted.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import {
  type E2EContext,
  activeEditor,
  normalise,
  openFromExplorer,
  setTheme,
  typeInPalette,
  quickPickRow,
  visibleText,
  waitForWorkbench,
  waitUntil,
} from '../host/e2e-helpers';

const FILE = 'planning-notes.md';
const OTHER = 'scratch.md';
const PARAGRAPH =
  'The quarterly planning meeting ran long again, mostly because nobody had read the proposal before walking ' +
  'into the room, so the first forty minutes went to someone reading it aloud while everyone else ' +
  'checked their phones. ' +
  'By the time we reached the actual decisions, half the people who needed to weigh in had left for ' +
  'other meetings, and ' +
  'the ones who stayed agreed to things they did not fully understand. Next quarter we should send the proposal two ' +
  'days ahead, ask for written questions the day before, and spend the meeting only on the points where people ' +
  'actually disagree with each other.';
const CONTENT = `# Planning notes\n\n${PARAGRAPH}\n\nWhat we will try next time.\n`;
const OTHER_CONTENT = 'A line in another file.\nAnother line in another file.\n';

type LogEvent = Record<string, unknown> & { type: string };

function readLog(runDir: string): LogEvent[] {
  const file = path.join(runDir, 'feedback.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LogEvent);
}

/**
 * Waits until the workbench's own configuration holds `value` for the workspace setting `key`: its Settings
 * editor shows it. A settings file changed under a running workbench is read when the file watcher says so;
 * the workbench tells the extension host of the change before anything it sends later (one ordered channel),
 * so a command run after this sees the new value.
 */
async function workspaceSettingShown(page: Page, key: string, value: string): Promise<void> {
  await typeInPalette(page, 'Preferences: Open Workspace Settings');
  await quickPickRow(page, /^Preferences: Open Workspace Settings$/).click();
  const settingsEditor = page.locator('.settings-editor').first();
  await settingsEditor.waitFor({ timeout: 20_000 });
  // The search box has the focus when the editor opens; focus it again in case a redraw took it.
  await settingsEditor
    .locator('.suggest-input-container textarea')
    .first()
    .focus({ timeout: 5_000 })
    .catch(() => undefined);
  await page.keyboard.type(`@id:${key}`);
  const input = settingsEditor.locator('.setting-item-control input').first();
  await waitUntil(
    `the Settings editor to show ${key} = ${value}`,
    () => input.inputValue({ timeout: 1_000 }).catch(() => ''),
    (v) => v === value,
    30_000,
  );
  await page.keyboard.press('Control+W');
  await settingsEditor.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The preview zone (a comment thread widget) of the active editor group. */
function zone(page: Page): Locator {
  return page.locator('.editor-group-container.active .review-widget').first();
}

/** The preview's action links inside the zone. */
function zoneLink(page: Page, title: RegExp): Locator {
  return zone(page).locator('.comment-body a', { hasText: title }).first();
}

/** Moves the cursor to the start of a 1-based line with Ctrl+G, selecting nothing. */
async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

interface WordBox {
  word: string;
  top: number;
  bottom: number;
  left: number;
  right: number;
  visible: boolean;
  viewport: { width: number; height: number };
}

/**
 * Where the last word of the proposal is drawn in the zone, and whether that spot really shows it (not
 * covered by a panel, not outside the window, not scrolled away): computed in the page from the
 * rendered text. `ending` is the end of the proposal's text, which identifies its paragraph.
 */
async function lastWordOnScreen(page: Page, ending: string): Promise<WordBox> {
  /* eslint-disable @typescript-eslint/no-explicit-any --
     runs in the page; this project compiles without the DOM library */
  return page.evaluate((end: string) => {
    const g = globalThis as any;
    const doc = g.document;
    const viewport = { width: g.innerWidth as number, height: g.innerHeight as number };
    const none = { word: '', top: 0, bottom: 0, left: 0, right: 0, visible: false, viewport };
    const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
    const body = doc.querySelector('.editor-group-container.active .review-widget .comment-body');
    const paragraph =
      body && [...body.querySelectorAll('p')].find((p: any) => squash(p.textContent).endsWith(squash(end)));
    if (!paragraph) return none;
    const walker = doc.createTreeWalker(paragraph, 4 /* NodeFilter.SHOW_TEXT */);
    let last: any = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent.trim()) last = n;
    const m = last && /(\S+)\s*$/.exec(last.textContent);
    if (!m) return none;
    const range = doc.createRange();
    range.setStart(last, m.index);
    range.setEnd(last, m.index + m[1].length);
    const r = range.getBoundingClientRect();
    const hit = doc.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {
      word: m[1] as string,
      top: r.top,
      bottom: r.bottom,
      left: r.left,
      right: r.right,
      viewport,
      visible:
        r.width > 0 &&
        r.top >= 0 &&
        r.left >= 0 &&
        r.bottom <= viewport.height &&
        r.right <= viewport.width &&
        !!hit &&
        paragraph.contains(hit),
    };
  }, ending);
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

export async function previewLongParagraphKeysAndEscape({
  page,
  workspace,
  runDir,
  screenshot,
  log,
}: E2EContext): Promise<void> {
  const file = path.join(workspace, FILE);
  const other = path.join(workspace, OTHER);
  const settings = path.join(workspace, '.vscode', 'settings.json');
  assert.ok(PARAGRAPH.length >= 590 && PARAGRAPH.length <= 610, `the paragraph has ${PARAGRAPH.length} characters`);
  fs.writeFileSync(file, CONTENT);
  fs.writeFileSync(other, OTHER_CONTENT);
  // A proposal about as long as the paragraph (the test model writes about 3 characters a token).
  fs.mkdirSync(path.dirname(settings), { recursive: true });
  fs.writeFileSync(settings, JSON.stringify({ 'cptWriter.maxTokens': 200 }, null, 2));
  await waitForWorkbench(page, FILE);
  const theme = await setTheme(page, 'Dark Modern');
  try {
    await readablePreview(page, file, runDir, screenshot, log);
    const logged = readLog(runDir).length;
    await keysInASecondEditor(page, file, other, runDir, screenshot, log);
    await escapeYieldsToSuggest(page, file, runDir, screenshot, log);
    // One decision since the second editor's keys: the rejection. Checked once the last part is done, so
    // a key that logged something, a late second event or the cancelled rewrite would all show here (a
    // window of the whole last part, where a fixed pause would be a guess).
    assert.deepStrictEqual(
      readLog(runDir)
        .slice(logged)
        .map((e) => [e.type, e.decision]),
      [['decision', 'rejected']],
      'something besides the one rejection was logged',
    );
  } finally {
    await setTheme(page, theme).catch(() => undefined);
    // The next tests share this workspace and its restored editors.
    await typeInPalette(page, 'View: Close All Editors')
      .then(() => quickPickRow(page, /^View: Close All Editors$/).click())
      .catch(() => undefined);
    for (const f of [settings, file, other]) fs.rmSync(f, { force: true });
  }
}

/** Paragraph at the cursor, Ctrl+Alt+R, and the whole proposal on screen in both themes. */
async function readablePreview(
  page: Page,
  file: string,
  runDir: string,
  screenshot: E2EContext['screenshot'],
  log: E2EContext['log'],
): Promise<void> {
  await openFromExplorer(page, FILE);
  await goToLine(page, 3);
  await page.keyboard.press('End');
  assert.strictEqual(
    await activeEditor(page).locator('.selected-text').count(),
    0,
    'nothing is selected: the paragraph at the cursor is rewritten',
  );
  const before = readLog(runDir).length;
  await page.keyboard.press('Control+Alt+R');
  const accept = zoneLink(page, /^Accept/);
  await accept.waitFor({ timeout: 180_000 });
  await page
    .locator('.codelens-decoration a', { hasText: /^Accept/ })
    .first()
    .waitFor({ timeout: 10_000 });
  assert.strictEqual(fs.readFileSync(file, 'utf8'), CONTENT, 'the preview must not write to the file');

  const rewrite = readLog(runDir)
    .slice(before)
    .find((e) => e.type === 'rewrite');
  assert.ok(rewrite, 'the rewrite was not logged');
  assert.strictEqual(rewrite.original, PARAGRAPH, 'the paragraph at the cursor, and only it, was rewritten');
  const proposal = String(rewrite.output);
  log(`proposal: ${proposal.length} characters`);
  assert.ok(proposal.length >= 300, `the proposal is too short to test the layout (${proposal.length} characters)`);

  // The zone shows the whole proposal, as written.
  const shown = normalise(await zone(page).locator('.comment-body').innerText()).replace(/\s+/g, ' ');
  const expected = proposal.replace(/\s+/g, ' ').trim();
  assert.ok(shown.includes(expected), `the zone does not show the whole proposal:\n${shown}\n---\n${expected}`);

  for (const name of ['dark', 'light']) {
    if (name === 'light') {
      await setTheme(page, 'Light Modern');
      await accept.waitFor();
    }
    const last = await waitUntil(
      'the last word of the proposal to be on screen',
      () => lastWordOnScreen(page, expected.slice(-40)),
      (w) => w.visible,
      10_000,
    );
    assert.ok(expected.endsWith(last.word), `the zone's last word ${JSON.stringify(last.word)} is not the proposal's`);
    log(
      `${name}: last word ${JSON.stringify(last.word)} at y ${Math.round(last.top)}–${Math.round(last.bottom)} ` +
        `of ${last.viewport.height}`,
    );
    await screenshot(`preview-600-chars-${name}`);
  }
  await setTheme(page, 'Dark Modern');
}

/**
 * With the preview open, the preview's keys pressed in another editor act as that editor's own keys:
 * the previewed file is untouched, the preview stays, and nothing is logged.
 */
async function keysInASecondEditor(
  page: Page,
  file: string,
  other: string,
  runDir: string,
  screenshot: E2EContext['screenshot'],
  log: E2EContext['log'],
): Promise<void> {
  const logged = readLog(runDir).length;
  // Alt+click in the Explorer opens the file in a second editor group beside the first.
  await page
    .getByRole('treeitem', { name: OTHER })
    .first()
    .click({ modifiers: ['Alt'] });
  const group = page
    .locator('.editor-group-container')
    .filter({ has: page.locator(`.tab[aria-label^="${OTHER}"]`) })
    .first();
  await group.waitFor({ timeout: 30_000 });
  const editor = group.locator('.monaco-editor').first();
  await editor.locator('.view-lines').click();
  await goToLine(page, 1);
  await page.keyboard.press('End');
  const linesBefore = await editor.locator('.view-lines .view-line').count();
  await page.keyboard.press('Control+Enter');
  await waitUntil(
    'Ctrl+Enter to insert a line in the second editor',
    () => editor.locator('.view-lines .view-line').count(),
    (n) => n === linesBefore + 1,
  );
  await page.keyboard.type('one two three');
  await page.keyboard.press('Control+Backspace');
  await waitUntil(
    'Ctrl+Backspace to delete a word in the second editor',
    async () => normalise(await editor.locator('.view-lines').innerText()),
    (t) => t.includes('one two') && !t.includes('three'),
  );
  await page.keyboard.press('Control+Shift+Backspace');
  await screenshot('keys-in-second-editor');

  // The preview in the first group is still open, the file untouched, the log unchanged.
  const first = page
    .locator('.editor-group-container')
    .filter({ has: page.locator(`.tab[aria-label^="${FILE}"]`) })
    .first();
  await first
    .locator('.review-widget .comment-body a', { hasText: /^Accept/ })
    .first()
    .waitFor({ timeout: 5_000 });
  assert.strictEqual(fs.readFileSync(file, 'utf8'), CONTENT);
  // Anything these keys logged would come before the rejection below, and the test's end checks that the
  // rejection is the only event since.

  // Close the second editor (the web host auto-saves it).
  await typeInPalette(page, 'File: Revert File');
  await quickPickRow(page, /^File: Revert File$/).click();
  await page.keyboard.press('Control+W');
  await group.waitFor({ state: 'detached', timeout: 10_000 });
  fs.writeFileSync(other, OTHER_CONTENT);

  // The zone's title bar: VS Code names each action's key for the writer's platform; Reject there is
  // an action on this preview, and the only decision logged.
  const reject = first.locator('.review-widget .head .action-label[aria-label^="Reject Rewrite"]').first();
  const label = `${(await reject.getAttribute('aria-label')) ?? ''} ${(await reject.getAttribute('title')) ?? ''}`;
  log(`title bar Reject: ${label}`);
  assert.match(label, /Ctrl\+Shift\+Backspace/, 'the title bar does not name the Reject key');
  await reject.click();
  await first.locator('.review-widget').first().waitFor({ state: 'detached', timeout: 10_000 });
  await waitUntil(
    'the rejection to be logged',
    () => readLog(runDir).slice(logged),
    (events) => events.length > 0,
  );
  const decisions = readLog(runDir).slice(logged);
  assert.deepStrictEqual(
    decisions.map((e) => [e.type, e.decision]),
    [['decision', 'rejected']],
  );
  assert.strictEqual(fs.readFileSync(file, 'utf8'), CONTENT);
}

/** While streaming: Escape closes the suggest widget and the rewrite goes on; Escape again cancels it. */
async function escapeYieldsToSuggest(
  page: Page,
  file: string,
  runDir: string,
  screenshot: E2EContext['screenshot'],
  log: E2EContext['log'],
): Promise<void> {
  const settings = path.join(path.dirname(file), '.vscode', 'settings.json');
  // A long stream, so there is time to open the suggest widget while it runs.
  // (2,200 tokens: about 15 s on the CI machine.)
  fs.writeFileSync(settings, JSON.stringify({ 'cptWriter.maxTokens': 2200 }, null, 2));
  // The token budget scales with the text (about twice its tokens, core/rewrite-budget.ts), so a long stream
  // needs a long text: a paragraph three times the first goes below the others (line 7), and the suggest
  // widget opens on line 5, outside it.
  fs.writeFileSync(file, `${CONTENT}\n${[PARAGRAPH, PARAGRAPH, PARAGRAPH].join(' ')}\n`);
  await waitUntil(
    'the editor to show the long paragraph written to the file',
    () => visibleText(page),
    (t) => t.split('The quarterly planning meeting').length > 2,
  );
  await workspaceSettingShown(page, 'cptWriter.maxTokens', '2200');
  // Escape also yields to notification toasts (it hides them first); start with none.
  await typeInPalette(page, 'Notifications: Clear All Notifications');
  await quickPickRow(page, /^Notifications: Clear All Notifications$/).click();
  const editor = activeEditor(page);
  await editor.locator('.view-lines').click();
  await goToLine(page, 7);
  const logged = readLog(runDir).length;
  await page.keyboard.press('Control+Alt+R');
  const rewriting = page.locator('.codelens-decoration', { hasText: /Rewriting/ }).first();
  await rewriting.waitFor({ timeout: 60_000 });
  const t0 = Date.now();
  // Below the paragraph, outside the text being rewritten: a word start, then the suggest widget.
  await goToLine(page, 5);
  await page.keyboard.press('End');
  await page.keyboard.type(' Qua');
  await page.keyboard.press('Control+Space');
  const suggest = page.locator('.editor-widget.suggest-widget.visible').first();
  const shown = await suggest.waitFor({ timeout: 5_000 }).then(
    () => true,
    () => false,
  );
  if (!shown) {
    // On a loaded machine the streaming zone's redraws can leave the keyboard focus outside the text
    // (then Ctrl+Space goes nowhere): put it back in the editor, where the cursor still is, and ask again.
    const focus = await page.evaluate(() =>
      String(
        (globalThis as { document?: { activeElement?: { className?: string } } }).document?.activeElement?.className ??
          'none',
      ),
    );
    log(`no suggest widget 5 s after Ctrl+Space (focus: ${focus}); focusing the editor and asking again`);
    await typeInPalette(page, 'View: Focus Active Editor Group');
    await quickPickRow(page, /^View: Focus Active Editor Group$/).click();
    await page.keyboard.press('Control+Space');
  }
  await suggest.waitFor({ timeout: 10_000 });
  await screenshot('suggest-while-streaming');
  // The zone's comment says "rewriting…" while the rewrite streams (the CodeLens row may have scrolled away).
  const streaming = zone(page).getByText('rewriting…', { exact: true });
  assert.strictEqual(await streaming.count(), 1, 'the rewrite ended before the suggest widget was closed');
  await page.keyboard.press('Escape');
  const streamed = () =>
    zone(page)
      .locator('.comment-body')
      .innerText()
      .catch(() => '');
  const before = await streamed();
  await suggest.waitFor({ state: 'hidden', timeout: 5_000 });
  // The rewrite goes on: more text streams into the zone after the Escape (a cancel would stop it).
  await waitUntil(
    'more streamed text after Escape closed the suggest widget',
    streamed,
    (t) => t.length > before.length,
    20_000,
  );
  assert.strictEqual(await streaming.count(), 1, 'Escape cancelled the rewrite instead of closing the suggest widget');
  log(`Escape closed the suggest widget; the rewrite goes on (${Date.now() - t0} ms into the stream)`);
  await page.keyboard.press('Escape');
  await zone(page).waitFor({ state: 'detached', timeout: 10_000 });
  assert.deepStrictEqual(readLog(runDir).slice(logged), [], 'a cancelled rewrite logged something');
}
