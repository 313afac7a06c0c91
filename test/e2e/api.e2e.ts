// The API a normal install hands to other extensions: a second installed extension (the API probe,
// test/host/api-probe.mjs) activates CPT Writer from the installed VSIX and reports what activate()
// returned. It must be { version: 1 } and nothing else: no test seams, no way to swap the engine, no
// service objects, and nothing another extension can add to it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { type E2EContext, quickPickRow, typeInPalette, waitForWorkbench, waitUntil } from '../host/e2e-helpers';

interface ProbeReport {
  shape?: unknown;
  frozen?: boolean;
  added?: boolean;
  probeMode?: string;
  error?: string;
}

export async function installedApiExposesNoTestSeams({ page, runDir, log }: E2EContext): Promise<void> {
  const file = path.join(runDir, 'api-probe.json');
  fs.rmSync(file, { force: true });
  await waitForWorkbench(page);
  await typeInPalette(page, 'CPT Writer API Probe: Inspect');
  const command = quickPickRow(page, /^CPT Writer API Probe: Inspect$/);
  await command.waitFor({ timeout: 30_000 });
  await command.click();
  await waitUntil(
    "the API probe's report",
    () => fs.existsSync(file),
    (exists) => exists,
    60_000,
  );
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeReport;
  log(`probe report: ${JSON.stringify(report)}`);
  assert.strictEqual(report.error, undefined, report.error);
  // The probe itself is an installed extension, so this is what installed extensions run as.
  assert.strictEqual(report.probeMode, 'Production');
  assert.deepStrictEqual(report.shape, { version: 'number:1' });
  assert.strictEqual(report.frozen, true);
  assert.strictEqual(report.added, false, 'another extension could add a property to the API');
}
