// Shared by `npm test`, `npm start` and `npm run bench`: a clean clone has no node_modules yet, and each
// of them must work from one with nothing else done by hand.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export function ensureDependencies(root, log = (m) => console.log(m)) {
  if (existsSync(path.join(root, 'node_modules', '.package-lock.json'))) return;
  log('installing dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}
