// Appending the log line: a real file in a temporary folder (O_APPEND, O_CREAT, O_NOFOLLOW and
// the mode are the kernel's business, so no fake file system here), or logger(1).
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { appendLog } from '../../../src/log/write';

describe('appendLog to a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-log-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const fresh = (): string => join(dir, `log${++n}`);

  it('creates the file and writes the line', async () => {
    const path = fresh();
    await appendLog(path, 'one\n');
    assert.equal(readFileSync(path, 'utf8'), 'one\n');
  });

  it('appends: earlier lines stay', async () => {
    const path = fresh();
    writeFileSync(path, 'before\n');
    await appendLog(path, 'one\n');
    await appendLog(path, 'two\n');
    assert.equal(readFileSync(path, 'utf8'), 'before\none\ntwo\n');
  });

  it('a file it creates has mode 0600', async () => {
    const path = fresh();
    const umask = process.umask(0);
    try {
      await appendLog(path, 'x\n');
    } finally {
      process.umask(umask);
    }
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('an existing file keeps its mode', async () => {
    const path = fresh();
    writeFileSync(path, '');
    chmodSync(path, 0o640);
    await appendLog(path, 'x\n');
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  it('64 appends at once: 64 whole lines, none interleaved', async () => {
    const path = fresh();
    const lines = Array.from({ length: 64 }, (_, i) => `${String(i).padStart(2, '0')} ${'x'.repeat(2000)}\n`);
    await Promise.all(lines.map((line) => appendLog(path, line)));
    assert.deepEqual(
      readFileSync(path, 'utf8')
        .split(/(?<=\n)/)
        .sort(),
      [...lines].sort(),
    );
  });

  it('a symlink is not followed (O_NOFOLLOW): nothing written through it, no exception', async () => {
    const target = fresh();
    writeFileSync(target, 'secret\n');
    const link = fresh();
    symlinkSync(target, link);
    await appendLog(link, 'x\n');
    assert.equal(readFileSync(target, 'utf8'), 'secret\n');
    assert.ok(lstatSync(link).isSymbolicLink());
  });

  it('a dangling symlink is not followed: the file it names is not created', async () => {
    const target = fresh();
    const link = fresh();
    symlinkSync(target, link);
    await appendLog(link, 'x\n');
    assert.equal(existsSync(target), false);
  });

  // prettier-ignore
  const unwritable: [string, () => string][] = [
    ['a missing folder', () => join(dir, 'missing', 'log')],
    ['a folder', () => { const path = fresh(); mkdirSync(path); return path; }],
    ['a path through a file', () => { const path = fresh(); writeFileSync(path, ''); return join(path, 'log'); }],
    ['an empty path', () => ''],
  ];
  for (const [title, destination] of unwritable) {
    it(`${title}: resolves without throwing`, async () => {
      await assert.doesNotReject(appendLog(destination(), 'x\n'));
    });
  }
});

describe('appendLog to syslog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-logger-'));
  const path = process.env.PATH;
  after(() => {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs logger -t maildir-fanout -p mail.info with the line, without our time stamp and newline', async () => {
    const args = join(dir, 'args');
    const logger = join(dir, 'logger');
    writeFileSync(logger, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${args}'\n`);
    chmodSync(logger, 0o755);
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    try {
      await appendLog('syslog', '2026-11-28T14:00:00.000Z maildir-fanout[1]: status=delivered to=a\n');
    } finally {
      process.env.PATH = path;
    }
    assert.deepEqual(readFileSync(args, 'utf8').split('\n').slice(0, -1), [
      '-t',
      'maildir-fanout',
      '-p',
      'mail.info',
      '--',
      'maildir-fanout[1]: status=delivered to=a',
    ]);
  });

  it('no logger on PATH: resolves without throwing', async () => {
    process.env.PATH = join(dir, 'nowhere');
    try {
      await assert.doesNotReject(appendLog('syslog', 'x\n'));
    } finally {
      process.env.PATH = path;
    }
  });

  it('a failing logger: resolves without throwing', async () => {
    const bin = join(dir, 'failing');
    mkdirSync(bin);
    writeFileSync(join(bin, 'logger'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'logger'), 0o755);
    process.env.PATH = bin;
    try {
      await assert.doesNotReject(appendLog('syslog', 'x\n'));
    } finally {
      process.env.PATH = path;
    }
  });
});
