// The extensionTestsPath module: VS Code's extension host loads it and awaits run(); a rejection becomes
// a non-zero exit. Runs every *.test.js next to it with mocha (bdd) and writes mocha's stats to
// $VSCODE_TEST_RESULT_FILE, which the harness requires: code-server's workbench reports success even when
// the extension host dies mid-suite, so a missing results file is the only reliable sign of that.
// Before the tests, preflight.ts checks the host and workspace the runner promised; a problem there fails
// the run as one failure naming it.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import { preflightProblems } from './preflight';

export interface SuiteResults {
  suites: number;
  tests: number;
  passes: number;
  pending: number;
  failures: number;
  duration?: number;
  failedTests: { title: string; error: string }[];
}

export function writeResults(results: SuiteResults): void {
  const file = process.env.VSCODE_TEST_RESULT_FILE;
  if (file) fs.writeFileSync(file, JSON.stringify(results, null, 2));
}

export async function run(): Promise<void> {
  return runChecked(await preflightProblems(), __dirname);
}

/**
 * Runs mocha over every *.test.js in `dir`, unless the preflight found `problems`: then the run is one
 * failure naming them. test/untrusted/index.ts uses it too, with its own folder and checks.
 */
export async function runChecked(problems: string[], dir: string): Promise<void> {
  if (problems.length) {
    const error = `the test host is not what the runner promised: ${problems.join('; ')}`;
    writeResults({
      suites: 0,
      tests: 0,
      passes: 0,
      pending: 0,
      failures: 1,
      failedTests: [{ title: 'integration preflight', error }],
    });
    throw new Error(error);
  }
  return runSuite(dir);
}

function runSuite(dir: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 60_000 });
  const grep = process.env.CPT_WRITER_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(dir, f));

  return new Promise((resolve, reject) => {
    const failedTests: SuiteResults['failedTests'] = [];
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        const results: SuiteResults = { ...runner.stats!, failures, failedTests };
        writeResults(results);
        if (failures > 0) reject(new Error(`${failures} of ${results.tests} tests failed`));
        else resolve();
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    runner.on('fail', (test, err: unknown) => {
      failedTests.push({
        title: test.fullTitle(),
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    });
  });
}
