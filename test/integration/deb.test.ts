// The Debian package, built by packaging/build-deb.sh and used as an administrator would: its
// exact file list (no active cron job), its control fields and a reproducible build; then, as
// root, `dpkg -i`, a delivery through /usr/bin/maildir-fanout as an unprivileged user with the
// packaged example config, the manual page found by `man -w`, and `dpkg -r` removing every file.
//
// Building and inspecting needs dpkg-deb only. Installing needs root, dpkg and the Debian
// package nodejs (>= 20), and is never done on a machine where maildir-fanout is installed
// already (a developer's own package is left alone): those tests skip and say why. CI runs as
// root on Debian: there, a missing dpkg or nodejs fails the suite instead of skipping it.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asRoot, listMaildir, readNew, sandbox, TEST_GID, TEST_UID, testHome } from './harness';

const repo = resolve(__dirname, '../../..');
const script = join(repo, 'packaging/build-deb.sh');
const upstreamVersion = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string })
  .version;
/** The Debian version: a semver pre-release "-" becomes "~" (packaging/build-deb.sh). */
const debVersion = upstreamVersion.replace('-', '~');

/** What `dpkg-deb -c` lists: mode, path (and link target); every entry is root/root. */
const EXPECTED_CONTENTS = [
  'drwxr-xr-x ./',
  'drwxr-xr-x ./usr/',
  'drwxr-xr-x ./usr/bin/',
  'lrwxrwxrwx ./usr/bin/maildir-fanout -> ../share/maildir-fanout/bin/maildir-fanout',
  'drwxr-xr-x ./usr/share/',
  'drwxr-xr-x ./usr/share/doc/',
  'drwxr-xr-x ./usr/share/doc/maildir-fanout/',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/README.md.gz',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/changelog.gz',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/copyright',
  'drwxr-xr-x ./usr/share/doc/maildir-fanout/examples/',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/examples/README.md',
  'drwxr-xr-x ./usr/share/doc/maildir-fanout/examples/cron.d/',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/examples/cron.d/maildir-fanout',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/examples/dot-forward',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/examples/dot-qmail',
  'drwxr-xr-x ./usr/share/doc/maildir-fanout/examples/systemd/',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/examples/systemd/maildir-fanout-check.service',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/examples/systemd/maildir-fanout-check.timer',
  '-rw-r--r-- ./usr/share/doc/maildir-fanout/examples/targets.json',
  'drwxr-xr-x ./usr/share/maildir-fanout/',
  'drwxr-xr-x ./usr/share/maildir-fanout/bin/',
  '-rwxr-xr-x ./usr/share/maildir-fanout/bin/maildir-fanout',
  'drwxr-xr-x ./usr/share/maildir-fanout/dist/',
  '-rw-r--r-- ./usr/share/maildir-fanout/dist/maildir-fanout.js',
  '-rw-r--r-- ./usr/share/maildir-fanout/dist/maildir-fanout.js.cache',
  '-rw-r--r-- ./usr/share/maildir-fanout/dist/start.js',
  '-rw-r--r-- ./usr/share/maildir-fanout/targets.schema.json',
  'drwxr-xr-x ./usr/share/man/',
  'drwxr-xr-x ./usr/share/man/man1/',
  '-rw-r--r-- ./usr/share/man/man1/maildir-fanout.1.gz',
];

/** Paths that the package installs and `dpkg -r` must remove again. */
const INSTALLED_PATHS = [
  '/usr/bin/maildir-fanout',
  '/usr/share/maildir-fanout',
  '/usr/share/doc/maildir-fanout',
  '/usr/share/man/man1/maildir-fanout.1.gz',
];

function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  return { ...result, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function succeeds(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = run(command, args, options);
  assert.equal(result.error, undefined, `${command}: ${result.error?.message ?? ''}`);
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
  return result.stdout;
}

const hasCommand = (name: string): boolean => run('sh', ['-c', `command -v ${name}`]).status === 0;

/** dpkg's status of the package ("ii", "iU", …), or undefined when dpkg does not know it. */
function packageStatus(name: string): string | undefined {
  const query = run('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', name]);
  const status = query.stdout.trim();
  return query.status === 0 && status !== '' && !status.startsWith('un') ? status : undefined;
}

/** Builds the .deb into a new temporary folder; returns its path. */
function build(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'mf-deb-'));
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const printed = succeeds(script, [outdir]).trim();
  const deb = join(realpathSync(outdir), `maildir-fanout_${debVersion}_all.deb`);
  assert.equal(printed, deb, 'build-deb.sh prints the path of the package, and nothing else');
  return deb;
}

let built: string | undefined;
/** The package, built once for this file. */
const theDeb = (): string => (built ??= build());

const buildSkip = hasCommand('dpkg-deb') ? false : 'dpkg-deb not found (Debian package dpkg)';

describe('packaging/build-deb.sh', { skip: buildSkip }, () => {
  it('lists exactly the expected files, owned by root, and nothing under /etc', () => {
    const listing = succeeds('dpkg-deb', ['-c', theDeb()])
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        // "-rw-r--r-- root/root      5908 2026-11-28 17:55 ./usr/share/doc/…"
        const match = /^(\S+) (\S+) +\d+ \S+ \S+ (.+)$/.exec(line);
        assert.ok(match !== null, `unexpected dpkg-deb -c line: ${line}`);
        assert.equal(match[2], 'root/root', line);
        return `${match[1]} ${match[3]}`;
      });
    assert.deepEqual([...listing].sort(), [...EXPECTED_CONTENTS].sort());
    assert.ok(!listing.some((entry) => entry.includes(' ./etc/')), 'no active configuration (cron.d)');
  });

  it('has the control fields of a Debian package for any architecture', () => {
    const deb = theDeb();
    const field = (name: string): string => succeeds('dpkg-deb', ['-f', deb, name]).trimEnd();
    assert.equal(field('Package'), 'maildir-fanout');
    assert.equal(field('Version'), debVersion);
    assert.equal(field('Architecture'), 'all');
    assert.equal(field('Depends'), 'nodejs (>= 20)');
    assert.equal(field('Section'), 'mail');
    assert.equal(field('Priority'), 'optional');
    assert.match(field('Maintainer'), /^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$/);
    assert.match(field('Homepage'), /^https:\/\//);
    const description = field('Description').split('\n');
    assert.ok(description[0]!.length <= 80, `synopsis too long: ${description[0]!}`);
    assert.ok(description.length >= 5, 'an extended description of several lines');
    // dpkg-gencontrol's count: each file rounded up to a KiB, 1 KiB per directory and link.
    const sizes = succeeds('dpkg-deb', ['-c', deb])
      .split('\n')
      .filter((line) => line !== '' && !line.endsWith(' ./'))
      .map((line) => {
        const [mode = '', , size = '0'] = line.split(/ +/);
        return mode.startsWith('-') ? Math.ceil(Number(size) / 1024) : 1;
      });
    assert.equal(
      Number(field('Installed-Size')),
      sizes.reduce((a, b) => a + b, 0),
    );
  });

  it('has .forward and .qmail examples that call /usr/bin/maildir-fanout', () => {
    for (const name of ['dot-forward', 'dot-qmail']) {
      const path = `./usr/share/doc/maildir-fanout/examples/${name}`;
      const text = succeeds('sh', [
        '-c',
        'dpkg-deb --fsys-tarfile "$1" | tar -xO "$2"',
        'sh',
        theDeb(),
        path,
      ]);
      // The delivery lines, active or commented out ("#|…"), not the prose comments ("# …").
      const commands = text.split('\n').filter((line) => /^#?"?\|/.test(line));
      assert.ok(commands.length > 0, `${name} has no |command line`);
      for (const line of commands) assert.match(line, /^#?"?\|\/usr\/bin\/maildir-fanout /, name);
    }
  });

  it('is reproducible: a second build is the same bytes', () => {
    assert.ok(readFileSync(build()).equals(readFileSync(theDeb())), 'two builds of one tree differ');
  });
});

/** Why installing cannot be tested here, or undefined. */
function installSkip(): string | undefined {
  if (!asRoot) return 'needs root: installs the package with dpkg -i (CI runs as root)';
  if (!hasCommand('dpkg')) return 'not a Debian system (no dpkg)';
  const status = packageStatus('maildir-fanout');
  if (status !== undefined) {
    return `maildir-fanout is installed here already (dpkg status ${status}): this test installs and removes the package, and leaves yours alone`;
  }
  for (const path of INSTALLED_PATHS) {
    if (existsSync(path)) return `${path} exists, though no package owns it: dpkg -i would replace it`;
  }
  const nodejs = run('dpkg-query', ['-W', '-f=${Version}', 'nodejs']);
  if (packageStatus('nodejs') === undefined)
    return 'the Debian package nodejs is not installed (Depends: nodejs)';
  if (run('dpkg', ['--compare-versions', nodejs.stdout, 'ge', '20']).status !== 0) {
    return `the Debian package nodejs is ${nodejs.stdout}, older than the package's Depends: nodejs (>= 20)`;
  }
  return undefined;
}

const whyNotInstall = installSkip();
const installSkipped =
  whyNotInstall === undefined || (asRoot && process.env.CI === 'true') ? false : whyNotInstall;

describe('the installed Debian package', { skip: installSkipped }, () => {
  const box = sandbox();
  let installedByUs = false;

  before(() => {
    if (whyNotInstall !== undefined) throw new Error(`CI=true, but ${whyNotInstall}`);
  });
  after(() => {
    // A test that failed half-way must not leave the package on the machine.
    if (installedByUs && packageStatus('maildir-fanout') !== undefined) {
      run('dpkg', ['--purge', 'maildir-fanout'], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    }
    box.remove();
  });

  /** Runs the installed program as the unprivileged test user, with an MTA's environment. */
  const asUser = (args: readonly string[], input?: Buffer) =>
    run('/usr/bin/maildir-fanout', args, {
      input,
      cwd: '/',
      env: { PATH: '/usr/bin:/bin', HOME: testHome() },
      uid: TEST_UID,
      gid: TEST_GID,
    });

  it('installs with dpkg -i, and dpkg --verify finds every file as packaged', () => {
    const deb = theDeb();
    installedByUs = true;
    succeeds('dpkg', ['-i', deb], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    assert.equal(packageStatus('maildir-fanout'), 'ii');
    assert.equal(succeeds('dpkg', ['--verify', 'maildir-fanout']), '');
  });

  it('delivers through /usr/bin/maildir-fanout as an unprivileged user, with the example config', () => {
    // The packaged example, with its maildirs moved into the sandbox: it must be a valid config.
    const example = JSON.parse(
      readFileSync('/usr/share/doc/maildir-fanout/examples/targets.json', 'utf8'),
    ) as { targets: { name: string; path: string; match?: unknown }[] };
    const config = box.config({
      ...example,
      targets: example.targets.map((target) => ({ ...target, path: box.maildir(target.name) })),
    });
    const message = (subject: string): Buffer =>
      Buffer.concat([
        Buffer.from(`From: Build Bot <bb@example.org>\r\nSubject: ${subject}\r\n\r\n`),
        Buffer.from([0xe9, 0x00, 0x0d, 0x0a, 0xff]),
        Buffer.from('no final newline'),
      ]);
    const fromLine = Buffer.from('From bb@example.org  Sat Nov 28 12:00:00 2026\n');
    const macos = message('[macOS] r1234 builds');
    const plain = message('r1235 builds');
    for (const sent of [macos, plain]) {
      const result = asUser(['--config', config], Buffer.concat([fromLine, sent]));
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout + result.stderr, '');
    }
    for (const target of example.targets) {
      const dir = join(box.dir, target.name);
      assert.equal(listMaildir(dir).tmp.length, 0);
      // Byte-exact, From_ line removed; bb-macos has a match rule, the others take everything.
      const expected = target.match === undefined ? [macos, plain] : [macos];
      assert.deepEqual(
        readNew(dir).sort((a, b) => a.compare(b)),
        expected.sort((a, b) => a.compare(b)),
        target.name,
      );
    }
  });

  it('prints the version of package.json with --version', () => {
    const result = asUser(['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), upstreamVersion);
  });

  it('has a manual page that man -w finds', () => {
    const man = run('man', ['-w', 'maildir-fanout'], { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
    assert.equal(man.error, undefined, 'cannot run man: apt-get install man-db (as .ci/run does)');
    assert.equal(
      man.stdout.trim(),
      '/usr/share/man/man1/maildir-fanout.1.gz',
      `man -w: ${man.stderr} (does a path-exclude in /etc/dpkg/dpkg.cfg.d drop /usr/share/man?)`,
    );
  });

  it('is removed by dpkg -r, with every file it installed', () => {
    succeeds('dpkg', ['-r', 'maildir-fanout'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    assert.equal(packageStatus('maildir-fanout'), undefined);
    installedByUs = false;
    for (const path of INSTALLED_PATHS) {
      assert.throws(() => lstatSync(path), { code: 'ENOENT' }, `${path} is still there`);
    }
  });
});
