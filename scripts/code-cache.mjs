// Makes dist/maildir-fanout.js.cache, the V8 code cache that dist/start.js compiles the bundle
// with (src/start.ts says why). V8 puts into a cache the functions compiled so far, so the cache
// is made by running the program: a routed delivery with the journal and a log, the same
// message again (the journal's "already delivered" path), a dry run and a self-check, each run
// starting from the cache the previous one left. All of it in a temporary folder; nothing else
// is touched. The cache's first line is the bundle's build line, which start.ts compares.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const start = resolve('dist/start.js');
const bundle = resolve('dist/maildir-fanout.js');
const cacheFile = `${bundle}.cache`;

export function makeCodeCache() {
  rmSync(cacheFile, { force: true });
  const buildLine = readFileSync(bundle, 'utf8').split('\n', 1)[0] + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'mf-code-cache-'));
  try {
    const hook = join(dir, 'hook.cjs');
    // Runs in the trained process: on exit, the script's cache (with every function compiled
    // by then) goes to the cache file, behind the build line.
    writeFileSync(
      hook,
      `globalThis.__maildirFanoutCodeCache = (script) => process.on('exit', () =>
        require('node:fs').writeFileSync(${JSON.stringify(cacheFile)},
          Buffer.concat([Buffer.from(${JSON.stringify(buildLine)}), script.createCachedData()])));\n`,
    );
    const maildirs = ['a', 'b', 'c'].map((name) => join(dir, name));
    for (const m of maildirs)
      for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(m, sub), { recursive: true });
    const config = join(dir, 'targets.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: [
          { name: 'a', path: maildirs[0] },
          { name: 'b', path: maildirs[1], match: { header: 'Subject', glob: '*' } },
          {
            name: 'c',
            path: maildirs[2],
            match: {
              any: [
                { address: 'To', contains: '@' },
                { header: 'List-Id', exists: true },
              ],
            },
          },
        ],
        journal: { dir: join(dir, 'state') },
        log: join(dir, 'delivery.log'),
      }),
    );
    chmodSync(config, 0o600);
    const message = readFileSync('examples/commit-mail.eml');
    // Root would be refused without --allow-root (the build may run as root, e.g. in CI).
    const root = process.getuid?.() === 0 ? ['--allow-root'] : [];
    const runs = [
      ['--config', config, ...root],
      ['--config', config, ...root],
      ['--dry-run', '--config', config, ...root],
      ['check', '--config', config, ...root],
    ];
    for (const args of runs) {
      const run = spawnSync(process.execPath, ['--require', hook, start, ...args], {
        input: message,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
        encoding: 'utf8',
      });
      if (run.status !== 0) {
        throw new Error(`code cache: ${args.join(' ')} exited ${run.status}: ${run.stderr}${run.stdout}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
