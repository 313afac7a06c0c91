// The Getting Started walkthrough ticks a step done before the Welcome page was ever opened: the style is
// picked from the palette first, then the walkthrough is opened (Welcome: Open Walkthrough…) and its
// "Pick a style" step shows as done, while a step not done (building pairs) does not.
import * as assert from 'assert';
import {
  type E2EContext,
  quickInput,
  quickPickRow,
  typeInPalette,
  waitForWorkbench,
  waitUntil,
} from '../host/e2e-helpers';

export async function walkthroughTicksAStepDoneBeforeItOpened({ page, screenshot }: E2EContext): Promise<void> {
  await waitForWorkbench(page);
  await typeInPalette(page, 'CPT Writer: Select Style');
  const command = quickPickRow(page, /^CPT Writer: Select Style…$/);
  await command.waitFor({ timeout: 30_000 });
  await command.click();
  // Typed and taken with Enter, as a person does: a click can land on the hover of the row under the mouse.
  const rubric = quickPickRow(page, /Formality$/);
  await rubric.waitFor({ timeout: 30_000 });
  await quickInput(page).pressSequentially('Formality', { delay: 10 });
  await page.keyboard.press('Enter');
  const level = quickPickRow(page, /^4 · Professional$/);
  await level.waitFor({ timeout: 30_000 });
  await quickInput(page).pressSequentially('Professional', { delay: 10 });
  await page.keyboard.press('Enter');
  await level.waitFor({ state: 'hidden', timeout: 30_000 });
  await screenshot('style-picked');

  await typeInPalette(page, 'Open Walkthrough');
  const open = quickPickRow(page, /Open Walkthrough/);
  await open.waitFor({ timeout: 30_000 });
  await open.click();
  const ours = quickPickRow(page, /^Get started with CPT Writer$/);
  await ours.waitFor({ timeout: 30_000 });
  await ours.click();

  const picked = page.locator('[data-step-id$="#pickStyle"]').first();
  await picked.waitFor({ timeout: 30_000 });
  await waitUntil(
    'the "Pick a style" step to show as done',
    () => picked.getAttribute('aria-checked'),
    (v) => v === 'true',
  );
  assert.strictEqual(await page.locator('[data-step-id$="#buildPairs"]').first().getAttribute('aria-checked'), 'false');
  await screenshot('walkthrough-step-ticked');
}
