// The sidebar as a writer uses it: open the CPT Writer view, pick a rubric, move the level slider with
// the mouse and with the keyboard (the level's name and meaning follow at once, the status bar follows
// the saved style), select a sentence, type a note, press Rewrite Selection, watch the output stream
// into the sidebar, Accept, and see the document change and the history entry. Hiding and showing the view keeps
// its state. Screenshots in the dark and the light theme; the webview must log no CSP violation. The
// model is a random-weight test model, so only the structure of the output is asserted.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import type { ConsoleMessage, Frame, FrameLocator, Page } from 'playwright-core';
import {
  type E2EContext,
  activeEditor,
  openFromExplorer,
  quickInput,
  saveAndRead,
  selectLine,
  setTheme,
  visibleText,
  waitForWorkbench,
  waitUntil,
} from '../host/e2e-helpers';

const FILE = 'blog-post.md';
const SENTENCE = 'So basically we just kind of stopped doing it one week and honestly nobody noticed for like a month.';
const RUBRIC_ID = 'concision';

interface RubricFile {
  title: string;
  levels: string[];
  criteria: { name: string; levels: string[] }[];
}

function readRubric(id: string): RubricFile {
  const file = path.join(__dirname, '..', '..', '..', 'rubrics', `${id}.yaml`);
  return parse(fs.readFileSync(file, 'utf8')) as RubricFile;
}

function sidebar(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
}

async function statusBarStyle(page: Page): Promise<string> {
  const items = await page.locator('.statusbar .statusbar-item').allTextContents();
  return items.map((t) => t.trim()).find((t) => t.includes(' · ')) ?? '';
}

export async function sidebarPickSlideRewriteAccept({
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
  const rubric = readRubric(RUBRIC_ID);

  // Any CSP violation in the page (the webview's frames included) is a failure of this view.
  const csp: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(m.text()))
      csp.push(`${m.location().url}: ${m.text()}`);
  });

  // The rubric folder exists before the extension starts: its watcher does not see a
  // .cpt-writer/rubrics/ folder created later (reported to the extension side).
  fs.mkdirSync(path.join(workspace, '.cpt-writer', 'rubrics'), { recursive: true });
  await waitForWorkbench(page, FILE);
  const originalTheme = await setTheme(page, 'Dark Modern');
  try {
    await sidebarFlow(page, file, original, line, rubric, screenshot, log, path.join(runDir, 'feedback.jsonl'));
  } finally {
    await setTheme(page, originalTheme);
  }
  assert.deepStrictEqual(csp, [], `CSP violations:\n${csp.join('\n')}`);
}

async function sidebarFlow(
  page: Page,
  file: string,
  original: string,
  line: number,
  rubric: RubricFile,
  screenshot: E2EContext['screenshot'],
  log: E2EContext['log'],
  feedbackLog: string,
): Promise<void> {
  await openFromExplorer(page, FILE);

  // Open the view from the activity bar.
  const activity = page.locator('.activitybar a[aria-label^="CPT Writer"]').first();
  await activity.waitFor({ timeout: 60_000 });
  await activity.click();
  const view = sidebar(page);
  await view.locator('#level-name:not(:empty)').waitFor({ timeout: 60_000 });
  await view.locator('vscode-option[value="formality"]').waitFor({ state: 'attached', timeout: 60_000 });
  await screenshot('sidebar-dark');

  // Pick the rubric from the picker.
  await view.locator('#rubric').click();
  await view.locator('#rubric [role="option"]', { hasText: rubric.title }).first().click();
  await waitUntil(
    'the rubric summary to change',
    () => view.locator('#rubric-summary').textContent(),
    (t) => !!t && t.length > 0 && !t.includes('not loaded'),
  );
  await waitUntil(
    'the status bar to show the rubric',
    () => statusBarStyle(page),
    (t) => t.includes(rubric.title),
  );
  // Criteria and weights on demand.
  await view.locator('#criteria').click();
  await waitUntil(
    'the criteria list',
    () => view.locator('#criteria-list li').count(),
    (n) => n === rubric.criteria.length,
  );

  // Mouse: a click at the right end of the track is level 5.
  const slider = view.locator('#level');
  const box = await slider.boundingBox();
  assert.ok(box, 'the slider has no box');
  await page.mouse.click(box.x + box.width - 3, box.y + box.height / 2);
  const level5 = `5 · ${rubric.levels[4]}`;
  await waitUntil(
    'the level name to follow the mouse',
    () => view.locator('#level-name').textContent(),
    (t) => t === level5,
  );
  assert.strictEqual(await slider.getAttribute('aria-valuetext'), `5 of 5: ${rubric.levels[4]}`);
  const meaning5 = await view.locator('#level-meaning').textContent();
  assert.ok(meaning5?.includes(rubric.criteria[0].levels[4]), 'the meaning shows the first criterion at level 5');
  await waitUntil(
    'the status bar to follow the mouse',
    () => statusBarStyle(page),
    (t) => t.includes(rubric.levels[4]),
  );

  // Keyboard: two steps left is level 3.
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  const level3 = `3 · ${rubric.levels[2]}`;
  await waitUntil(
    'the level name to follow the keyboard',
    () => view.locator('#level-name').textContent(),
    (t) => t === level3,
  );
  const meaning3 = await view.locator('#level-meaning').textContent();
  for (const c of rubric.criteria) assert.ok(meaning3?.includes(c.levels[2]), `the meaning shows ${c.name} at level 3`);
  assert.notStrictEqual(meaning3, meaning5);
  await waitUntil(
    'the status bar to follow the keyboard',
    () => statusBarStyle(page),
    (t) => t.includes(rubric.levels[2]),
  );
  await screenshot('level-by-keyboard');
  log(`status bar: ${await statusBarStyle(page)}`);

  // Select the sentence in the editor, then Rewrite from the sidebar.
  await activeEditor(page).locator('.view-lines').click();
  await selectLine(page, line);
  await waitUntil(
    'the sentence to be selected',
    () => activeEditor(page).locator('.selected-text').count(),
    (n) => n > 0,
  );

  // Record every state of the output box from inside the webview, so the stream is seen even when fast.
  const frame = await webviewFrame(view);
  // (A string, because this project compiles without the DOM library.)
  await frame.evaluate(`(() => {
    const out = document.getElementById('rewrite-output');
    window.__seen = [];
    new MutationObserver(() => window.__seen.push({
      text: out.textContent || '', streaming: out.classList.contains('streaming'),
    }))
      .observe(out, { childList: true, characterData: true, subtree: true, attributes: true });
  })()`);
  // A one-off note typed in the view's note field goes with the rewrite.
  const note = 'keep it short';
  await view.locator('#note input').fill(note);
  await view.locator('#rewrite').click();
  await view.locator('#decision:not([hidden])').waitFor({ timeout: 180_000 });
  assert.ok(
    (await view.locator('#rewrite-warnings').textContent())?.includes(`Note: ${note}`),
    'the view does not show the note the rewrite was made with',
  );
  const logged = fs
    .readFileSync(feedbackLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; note?: string });
  assert.strictEqual(
    logged.filter((e) => e.type === 'rewrite').at(-1)?.note,
    note,
    'the note was not sent with the rewrite',
  );
  const seen = (await frame.evaluate('window.__seen')) as { text: string; streaming: boolean }[];
  const output = (await view.locator('#rewrite-output').textContent()) ?? '';
  assert.ok(output.length > 0, 'the rewrite produced no text');
  assert.ok(
    seen.some((s) => s.streaming),
    'the output box never showed a streaming state',
  );
  // The stream only grows (the final text is the extension's cleaned-up proposal, so it may differ in
  // surrounding whitespace or quotes from the raw stream).
  const partials = [...new Set(seen.filter((s) => s.streaming && s.text).map((s) => s.text))];
  for (let i = 1; i < partials.length; i++)
    assert.ok(partials[i].startsWith(partials[i - 1]), 'the streamed text only grows');
  log(`streamed in ${partials.length} visible step(s): ${JSON.stringify(output.slice(0, 80))}`);
  assert.strictEqual(await view.locator('#rewrite-output').getAttribute('aria-live'), 'polite');
  assert.ok((await visibleText(page)).includes(SENTENCE), 'the preview must not change the document');
  await screenshot('rewrite-streamed');

  // Accept from the sidebar: the document changes and the history records it.
  await view.locator('#accept').click();
  await waitUntil(
    'the sentence to be replaced',
    () => visibleText(page),
    (t) => !t.includes(SENTENCE),
  );
  const entry = view.locator('#history-list .history-item').first();
  await waitUntil(
    'the history entry to say Accepted',
    () => entry.textContent(),
    (t) => !!t?.includes('Accepted'),
  );
  assert.ok(
    (await entry.textContent())?.includes(`${rubric.title} · ${rubric.levels[2]}`),
    'the history entry names the style',
  );
  await view.locator('#decision').waitFor({ state: 'hidden' });
  await screenshot('accepted-dark');
  // On disk after Ctrl+S: only the selected sentence changed.
  await activeEditor(page).locator('.view-lines').click();
  const saved = await saveAndRead(page, file, (t) => t !== original, 'the accepted rewrite to reach the file');
  const start = original.indexOf(SENTENCE);
  const tail = original.slice(start + SENTENCE.length);
  assert.ok(saved.startsWith(original.slice(0, start)) && saved.endsWith(tail), 'text outside the selection changed');
  assert.notStrictEqual(saved.slice(start, saved.length - tail.length), SENTENCE);

  // Hide the view by switching to the Explorer, then come back: the webview page is destroyed while
  // hidden (no retainContextWhenHidden) and restores the style, the output and the history.
  await page.locator('.activitybar a[aria-label^="Explorer"]').first().click();
  await page.getByRole('treeitem', { name: FILE }).first().waitFor({ timeout: 30_000 });
  await view.locator('#level-name').waitFor({ state: 'detached', timeout: 30_000 });
  await activity.click();
  await waitUntil(
    'the restored level',
    () => sidebar(page).locator('#level-name').textContent(),
    (t) => t === level3,
  );
  assert.ok(
    (await sidebar(page).locator('#history-list').textContent())?.includes('Accepted'),
    'history survives hide/show',
  );

  // Light theme: the view follows the theme variables.
  await setTheme(page, 'Light Modern');
  // VS Code marks the webview's body with the theme kind once it has pushed the new variables.
  await sidebar(page).locator('body.vscode-light #level-name:not(:empty)').waitFor({ timeout: 30_000 });
  await screenshot('accepted-light');

  await newRubricAndProblems(page, path.dirname(file), screenshot);
}

// A rubric file with two mistakes: four level names, and weights summing to 90.
const BROKEN = `id: e2e-broken
title: E2E Broken
summary: Broken on purpose.
levels: [One, Two, Three, Four]
criteria:
  - name: Only
    weight: 90
    levels: [a, b, c, d, e]
scoring: none
`;

/**
 * "New Rubric…" creates a template that appears in the picker; a broken file's errors show in the list and open the
 * file.
 */
async function newRubricAndProblems(
  page: Page,
  workspace: string,
  screenshot: E2EContext['screenshot'],
): Promise<void> {
  const view = sidebar(page);
  const dir = path.join(workspace, '.cpt-writer', 'rubrics');
  const created = path.join(dir, 'e2e-sparkle.yaml');
  const broken = path.join(dir, 'e2e-broken.yaml');
  try {
    await view.locator('#new-rubric').click();
    await quickInput(page).waitFor({ timeout: 30_000 });
    await quickInput(page).pressSequentially('E2E Sparkle', { delay: 10 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab[aria-label^="e2e-sparkle.yaml"]').first().waitFor({ timeout: 30_000 });
    assert.ok(fs.existsSync(created), 'New Rubric… did not create the template file');
    // The watcher reloads the rubrics: the template is a valid rubric and appears in the picker.
    await view.locator('vscode-option[value="e2e-sparkle"]').waitFor({ state: 'attached', timeout: 30_000 });

    fs.writeFileSync(broken, BROKEN);
    const problem = view.locator('#problems .problem-location', { hasText: 'e2e-broken.yaml:' }).first();
    await problem.waitFor({ timeout: 30_000 });
    const text = (await view.locator('#problems').textContent()) ?? '';
    assert.match(text, /e2e-broken\.yaml:\d+:\d+/, 'the problem names FILE:LINE:COL');
    assert.strictEqual(
      await view.locator('vscode-option[value="e2e-broken"]').count(),
      0,
      'a broken rubric is not offered',
    );
    await problem.scrollIntoViewIfNeeded();
    await screenshot('rubric-problems');
    await problem.click();
    await page.locator('.tabs-container .tab[aria-label^="e2e-broken.yaml"]').first().waitFor({ timeout: 30_000 });

    // Fixing the file (five names, weights summing to 100) clears its problems and offers the rubric.
    fs.writeFileSync(
      broken,
      BROKEN.replace('[One, Two, Three, Four]', '[One, Two, Three, Four, Five]').replace('weight: 90', 'weight: 100'),
    );
    await view.locator('vscode-option[value="e2e-broken"]').waitFor({ state: 'attached', timeout: 30_000 });
    await waitUntil(
      'the problem to clear',
      () => view.locator('#problems').textContent(),
      (t) => !t?.includes('e2e-broken.yaml'),
    );
  } finally {
    // Leave the workspace as the next test expects it.
    fs.rmSync(created, { force: true });
    fs.rmSync(broken, { force: true });
  }
}

/** The Playwright Frame behind the webview's inner document (for evaluate). */
async function webviewFrame(view: FrameLocator): Promise<Frame> {
  const handle = await view.locator('body').elementHandle();
  const frame = await handle?.ownerFrame();
  if (!frame) throw new Error('could not find the sidebar webview frame');
  return frame;
}
