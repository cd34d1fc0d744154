// The npm package (issue 7): `npm pack` ships exactly what a user needs, with no dependencies
// (esbuild bundles them into dist/maildir-fanout.js), and a global install of the tarball into a
// temporary prefix, offline, delivers mail and links the manual page where man(1) finds it.
//
// What the package holds, and why (package.json "files"; npm adds package.json, README.md and
// LICENSE itself):
// - bin/maildir-fanout, the launcher, and dist/maildir-fanout.js, the bundle it runs;
//   dist/maildir-fanout.js.LEGAL.txt, the license notices of the bundled packages, which their
//   licenses require in every copy (scripts/bundle.mjs writes it);
// - man/ (linked into <prefix>/share/man by a global install, via "man") and schema/;
// - the examples a user adapts: examples/targets.json, examples/commit-mail.eml (a message to
//   try it with) and the .forward and .qmail lines (examples/dot-*); not examples/run.sh, the
//   `npm run example` script, which works on a checkout and writes demo/ into it;
// - packaging/README.md, cron.d/ and systemd/, the self-check schedules; not build-deb.sh or
//   debian/, which build the Debian package from a checkout and do nothing in an installed one.
// Not src/, test/, build/, bench/ or docs/: the bundle replaces the first three, the rest is for
// developers.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  asRoot,
  finished,
  listMaildir,
  readNew,
  sandbox,
  testHome,
  TEST_GID,
  TEST_UID,
  type RunResult,
} from './harness';

const repo = resolve(__dirname, '../../..');
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

/** Every file of the package, sorted: any addition or omission fails the test. */
const PACKED_FILES = [
  'LICENSE',
  'README.md',
  'bin/maildir-fanout',
  'dist/maildir-fanout.js',
  'dist/maildir-fanout.js.LEGAL.txt',
  'dist/maildir-fanout.js.cache',
  'dist/start.js',
  'examples/commit-mail.eml',
  'examples/dot-forward',
  'examples/dot-qmail',
  'examples/targets.json',
  'man/maildir-fanout.1',
  'package.json',
  'packaging/README.md',
  'packaging/cron.d/maildir-fanout',
  'packaging/systemd/maildir-fanout-check.service',
  'packaging/systemd/maildir-fanout-check.timer',
  'schema/targets.schema.json',
];

interface PackResult {
  readonly filename: string;
  readonly files: readonly { readonly path: string; readonly mode: number }[];
}

// npm, isolated from the user's npm: a private cache and no ~/.npmrc, and none of the
// npm_config_* variables that `npm test` passes to its scripts (they would override the flags).
const work = mkdtempSync(join(tmpdir(), 'mf-npm-'));
const npmEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
);
const npmFlags = [
  `--cache=${join(work, 'cache')}`,
  `--userconfig=${join(work, 'npmrc')}`,
  '--no-audit',
  '--no-fund',
  '--no-update-notifier',
];

function npm(args: readonly string[]): SpawnSyncReturns<string> {
  const result = spawnSync('npm', [...args, ...npmFlags], {
    cwd: repo,
    env: npmEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.error, undefined, `npm ${args.join(' ')}: ${String(result.error)}`);
  assert.equal(result.status, 0, `npm ${args.join(' ')}:\n${result.stderr}`);
  return result;
}

/** `npm pack --json` prints one result per package. */
function packResult(stdout: string): PackResult {
  const results = JSON.parse(stdout) as PackResult[];
  assert.equal(results.length, 1);
  return results[0]!;
}

/** Runs the globally installed tool as an MTA would (see harness.ts: as `nobody` under root). */
function runInstalled(bin: string, args: readonly string[], input: string | Buffer = ''): Promise<RunResult> {
  const child = spawn(bin, [...args], {
    cwd: tmpdir(),
    env: { PATH: '/usr/bin:/bin', HOME: testHome() },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
  });
  const done = finished(child);
  child.stdin.end(input);
  return done;
}

describe('npm package', () => {
  // World-readable, as the test user runs the installed tool from it.
  chmodSync(work, 0o755);
  const prefix = join(work, 'prefix');
  const bin = join(prefix, 'bin/maildir-fanout');
  let tarball = '';
  const box = sandbox();

  before(() => {
    // The suite's build made dist/; --ignore-scripts skips the prepack rebuild.
    const packed = packResult(
      npm(['pack', '--json', '--ignore-scripts', `--pack-destination=${work}`]).stdout,
    );
    tarball = join(work, packed.filename);
    // No dependencies, so nothing to fetch: --offline proves it.
    npm(['install', '--global', '--offline', `--prefix=${prefix}`, tarball]);
  });
  after(() => {
    box.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs exactly the files a user needs, the launcher executable', () => {
    const packed = packResult(npm(['pack', '--dry-run', '--json', '--ignore-scripts']).stdout);
    assert.deepEqual(packed.files.map((file) => file.path).sort(), PACKED_FILES);
    const launcher = packed.files.find((file) => file.path === 'bin/maildir-fanout');
    assert.equal(launcher!.mode & 0o111, 0o111);
  });

  it('declares no dependencies: the bundle needs nothing from node_modules', () => {
    const tar = spawnSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
    const manifest = JSON.parse(tar.stdout) as Record<string, unknown>;
    assert.equal(manifest.version, version);
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      assert.equal(manifest[field], undefined, `packed package.json has "${field}"`);
    }
  });

  it('the global install puts maildir-fanout in <prefix>/bin, and it runs', async () => {
    const result = await runInstalled(bin, ['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('delivers a byte-exact copy into each maildir through the installed tool', async () => {
    const dirs = [box.maildir('a'), box.maildir('b')];
    const message = Buffer.from('From: a@example.org\r\nSubject: npm \xe9\r\n\r\nbody\r\n', 'latin1');
    const result = await runInstalled(bin, dirs, message);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout + result.stderr, '');
    for (const dir of dirs) {
      assert.equal(listMaildir(dir).tmp.length, 0);
      assert.deepEqual(readNew(dir), [message]);
    }
  });

  it('links the manual page into <prefix>/share/man/man1', () => {
    const page = join(prefix, 'share/man/man1/maildir-fanout.1');
    assert.ok(existsSync(page), `${page} is missing`);
    assert.equal(readFileSync(page, 'utf8'), readFileSync(join(repo, 'man/maildir-fanout.1'), 'utf8'));
  });

  const man = spawnSync('man', ['--version'], { encoding: 'utf8' });
  it('man -M <prefix>/share/man finds it', { skip: man.error && 'man is not installed' }, () => {
    const found = spawnSync('man', ['-M', join(prefix, 'share/man'), '-w', 'maildir-fanout'], {
      encoding: 'utf8',
    });
    assert.equal(found.status, 0, found.stderr);
    assert.equal(
      realpathSync(found.stdout.trim()),
      realpathSync(join(prefix, 'share/man/man1/maildir-fanout.1')),
    );
  });
});
