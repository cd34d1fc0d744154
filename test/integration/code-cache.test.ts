// dist/start.js compiles the bundle with the V8 code cache the build made (src/start.ts). The
// cache must be used when it fits, and when it does not fit (another build, a damaged file, no
// file) the program must run exactly as well, only slower. A missing bundle is an installation
// problem: exit 75 with a status line, never a stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertFailure, assertOneCopyEach, EX_TEMPFAIL } from './fault-helpers';
import { asRoot, finished, sandbox, TEST_GID, TEST_UID, testHome, type RunResult } from './harness';

const repo = resolve(__dirname, '../../..');
const FILES = ['start.js', 'maildir-fanout.js', 'maildir-fanout.js.cache'] as const;
const MESSAGE = 'From: ci@example.org\nTo: bb@example.org\nSubject: code cache\n\nbody\n';

describe('the code cache of the bundle', () => {
  const box = sandbox();
  const copies = mkdtempSync(join(tmpdir(), 'mf-cache-'));
  chmodSync(copies, 0o755);
  after(() => {
    box.remove();
    rmSync(copies, { recursive: true, force: true });
  });

  // Tells on exit whether V8 took the cache: false = used, true = rejected, undefined = none given.
  const probe = join(copies, 'probe.cjs');
  writeFileSync(
    probe,
    "globalThis.__maildirFanoutCodeCache = (s) => process.on('exit', () => " +
      'process.stderr.write(`cache rejected: ${String(s.cachedDataRejected)}\\n`));\n',
  );
  chmodSync(probe, 0o644);

  /** A copy of dist/ whose files `change` may alter; returns its start.js. */
  function distCopy(name: string, change: (dir: string) => void = () => undefined): string {
    const dir = join(copies, name);
    mkdirSync(dir, { mode: 0o755 });
    for (const file of FILES) {
      copyFileSync(join(repo, 'dist', file), join(dir, file));
      chmodSync(join(dir, file), 0o644);
    }
    change(dir);
    return join(dir, 'start.js');
  }

  function run(start: string, args: readonly string[]): Promise<RunResult> {
    const child = spawn(process.execPath, ['--require', probe, start, ...args], {
      env: { PATH: '/usr/bin:/bin', HOME: testHome() },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
    });
    const done = finished(child);
    child.stdin.end(MESSAGE);
    return done;
  }

  /** Delivers through `start` and checks the copy; returns what the probe said. */
  async function deliverWith(start: string, maildir: string): Promise<string> {
    const result = await run(start, [maildir]);
    assert.equal(result.code, 0, result.stderr);
    assertOneCopyEach([maildir], MESSAGE);
    const said = /^cache rejected: (\w+)\n$/.exec(result.stderr);
    assert.ok(said !== null, `stderr: ${result.stderr}`);
    return said[1]!;
  }

  it('the cache the build made is used: V8 accepts it, and the delivery is byte-exact', async () => {
    assert.equal(await deliverWith(distCopy('fits'), box.maildir('fits')), 'false');
  });

  it('a cache of another build (its first line names another bundle) is not given to V8; the program runs as well', async () => {
    const start = distCopy('other-build', (dir) => {
      const cache = readFileSync(join(dir, 'maildir-fanout.js.cache'));
      writeFileSync(
        join(dir, 'maildir-fanout.js.cache'),
        Buffer.concat([Buffer.from('// maildir-fanout build 0\n'), cache.subarray(cache.indexOf(10) + 1)]),
      );
    });
    assert.equal(await deliverWith(start, box.maildir('other-build')), 'undefined');
  });

  it('a damaged cache with the right first line: V8 rejects it; the program runs as well', async () => {
    const start = distCopy('damaged', (dir) => {
      const cache = readFileSync(join(dir, 'maildir-fanout.js.cache'));
      const head = cache.subarray(0, cache.indexOf(10) + 1);
      writeFileSync(join(dir, 'maildir-fanout.js.cache'), Buffer.concat([head, Buffer.alloc(4096, 0x5a)]));
    });
    assert.equal(await deliverWith(start, box.maildir('damaged')), 'true');
  });

  it('no cache at all: compiled as usual', async () => {
    const start = distCopy('none', (dir) => rmSync(join(dir, 'maildir-fanout.js.cache')));
    assert.equal(await deliverWith(start, box.maildir('none')), 'undefined');
  });

  it('no bundle: exit 75 with 4.3.5 naming the file, one line, no stack trace', async () => {
    const start = distCopy('no-bundle', (dir) => rmSync(join(dir, 'maildir-fanout.js')));
    const result = await run(start, [box.maildir('no-bundle')]);
    assertFailure(result, EX_TEMPFAIL, '4.3.5', 'cannot start', 'maildir-fanout.js');
  });
});
