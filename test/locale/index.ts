// The extensionTestsPath module of the locale stage (test/host/run-locale.mjs): the integration suite's
// runner over the *.test.js here, after checking the promise this stage makes: the extension host runs in
// the pseudo locale. In English every string would pass for untranslated-but-fine, so that fails the run.
import * as vscode from 'vscode';
import { runChecked } from '../integration/index';

function localeProblems(): string[] {
  const want = process.env.CPT_WRITER_TEST_LOCALE;
  if (!want) return ['CPT_WRITER_TEST_LOCALE is not set'];
  return vscode.env.language === want ? [] : [`the host runs in "${vscode.env.language}", not "${want}"`];
}

export async function run(): Promise<void> {
  return runChecked(localeProblems(), __dirname);
}
