// What an e2e test receives and the few workbench gestures the tests share. An e2e test is a plain
// exported async function in test/e2e/*.e2e.ts; its export name is its name; run-e2e.mjs calls it with
// an E2EContext on a fresh workbench page and counts it as passed unless it throws.
import * as fs from 'fs';
import type { Locator, Page } from 'playwright-core';

export interface E2EContext {
  page: Page;
  server: { base: string; port: number };
  /** The workspace folder the workbench has open (a fresh copy of samples/ plus test rubrics). */
  workspace: string;
  /** This run's folder under .test-output/e2e. */
  runDir: string;
  /** Saves a PNG of the page as <NN>-<test>-<name>.png under .test-output/e2e/screenshots; returns its path. */
  screenshot(name: string): Promise<string>;
  log(message: string): void;
}

export type E2ETest = (ctx: E2EContext) => Promise<void>;

/** Monaco renders spaces as U+00A0; compare text the way a reader sees it. */
export function normalise(text: string | null | undefined): string {
  return (text ?? '').replace(/\u00a0/g, ' ');
}

export async function waitForWorkbench(page: Page, file?: string): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  if (file) await page.getByRole('treeitem', { name: file }).first().waitFor({ timeout: 60_000 });
}

/** Opens a file by clicking it in the Explorer and waits for its editor. */
export async function openFromExplorer(page: Page, file: string): Promise<Locator> {
  await page.getByRole('treeitem', { name: file }).first().click();
  await page.locator(`.tabs-container .tab[aria-label^="${file}"]`).first().waitFor({ timeout: 30_000 });
  const editor = activeEditor(page);
  await editor.locator('.view-lines').waitFor({ timeout: 30_000 });
  return editor;
}

export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/** The text of the lines the active editor currently renders. */
export async function visibleText(page: Page): Promise<string> {
  const lines = await activeEditor(page).locator('.view-lines .view-line').allTextContents();
  return lines.map(normalise).join('\n');
}

/** Polls `read` until `ok` holds; throws with the last value seen. */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 400)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

/** Ctrl+G to a 1-based line, then selects that whole line the way a person would (Home, Shift+End). */
export async function selectLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = quickInput(page);
  await input.waitFor();
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden' });
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
}

export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-box input');
}

/** The Quick Pick / palette row whose label is exactly `label`. */
export function quickPickRow(page: Page, label: string | RegExp): Locator {
  return page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: label }) })
    .first();
}

/** Opens the Command Palette with F1 and types `text` after the ">" prompt; leaves the palette open. */
export async function typeInPalette(page: Page, text: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = quickInput(page);
  await input.waitFor();
  await input.pressSequentially(text, { delay: 10 });
}

/**
 * Saves with Ctrl+S and waits until the file on disk satisfies `ok` in two reads 300 ms apart: the save
 * truncates before it writes, so a single read can catch an empty or partial file.
 */
export async function saveAndRead(
  page: Page,
  file: string,
  ok: (text: string) => boolean,
  what: string,
): Promise<string> {
  await page.keyboard.press('Control+S');
  let previous: string | undefined;
  const read = async () => {
    await new Promise((r) => setTimeout(r, 300));
    const now = fs.readFileSync(file, 'utf8');
    const settled = now === previous ? now : undefined;
    previous = now;
    return settled;
  };
  const text = await waitUntil(what, read, (t) => t !== undefined && ok(t), 15_000);
  return text as string;
}

/**
 * Switches the colour theme through the palette, as a person does ("Preferences: Color Theme"), and
 * returns the label of the theme that was active, so the test can put it back for the tests after it.
 */
export async function setTheme(page: Page, theme: string): Promise<string> {
  const before = await page.locator('.monaco-workbench').getAttribute('class');
  await typeInPalette(page, 'Preferences: Color Theme');
  const command = quickPickRow(page, /^Preferences: Color Theme$/);
  await command.waitFor({ timeout: 30_000 });
  await command.click();
  // The picker opens with the active theme focused.
  const focused = page.locator('.quick-input-list .monaco-list-row.focused .label-name').first();
  await focused.waitFor({ timeout: 30_000 });
  const previous = ((await focused.textContent()) ?? '').trim();
  const row = quickPickRow(page, new RegExp(`^${theme.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  await quickInput(page).pressSequentially(theme, { delay: 10 });
  await row.waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden' });
  if (previous !== theme) {
    await waitUntil(
      `the ${theme} theme`,
      () => page.locator('.monaco-workbench').getAttribute('class'),
      (c) => c !== before,
    );
  }
  return previous;
}
