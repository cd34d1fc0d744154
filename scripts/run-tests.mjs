// Runs every compiled test file under build/test with Node's built-in test runner.
// Node 20's `--test` takes no glob, so the files are listed here. Usage:
//   node scripts/run-tests.mjs [unit | integration | integration/x.test.js …]   (default: all)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return testFiles(path);
      return entry.endsWith('.test.js') ? [path] : [];
    });
}

const suites = process.argv.slice(2);
const roots = suites.length === 0 ? ['build/test'] : suites.map((s) => join('build/test', s));
const files = roots.flatMap(testFiles);
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
