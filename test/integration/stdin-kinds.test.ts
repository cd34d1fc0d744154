// Standard input comes in several kinds, and src/message/fd-input.ts reads each differently: a
// socket (Node's spawn, which every other integration test uses) and a pipe (a shell pipeline,
// many MTAs) through the event loop into one reused buffer; a regular file (`< message.eml`)
// with fs.read at its current offset. Each must give the message byte-exact, and a stalled pipe
// must not keep the process from leaving at the deadline or on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertFailure, assertNothingDelivered, assertOneCopyEach, EX_TEMPFAIL } from './fault-helpers';
import {
  asRoot,
  cliPath,
  finished,
  listMaildir,
  sandbox,
  TEST_GID,
  TEST_UID,
  testHome,
  type RunResult,
} from './harness';

/** Runs `script` with sh as the test user: $0 is the CLI, "$@" the arguments. */
function runShell(
  script: string,
  args: readonly string[],
  stdin: number | 'ignore' = 'ignore',
): Promise<RunResult> {
  const child = spawn('/bin/sh', ['-c', script, cliPath(), ...args], {
    env: { PATH: '/usr/bin:/bin', HOME: testHome() },
    stdio: [stdin, 'pipe', 'pipe'],
    ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
  });
  return finished(child);
}

/** A message of `size` bytes: a header block, then numbered lines. */
function message(size: number, extraHeader = ''): Buffer {
  const head = `From: ci@example.org\nTo: bb@example.org\nSubject: stdin kinds\n${extraHeader}\n`;
  let body = '';
  for (let line = 0; head.length + body.length < size; line++) body += `line ${line} of the body\n`;
  return Buffer.from((head + body).slice(0, size));
}

describe('standard input of every kind', () => {
  const box = sandbox();
  after(() => box.remove());

  it('a pipe (cat file | maildir-fanout): 3 MiB byte-exact in every target', async () => {
    const dirs = ['pipe-a', 'pipe-b', 'pipe-c'].map((name) => box.maildir(name));
    const bytes = message(3 * 1024 * 1024 + 17);
    const file = box.file('pipe.eml', bytes);
    const result = await runShell('cat "$1" | "$0" "$2" "$3" "$4"', [file, ...dirs]);
    assert.equal(result.code, 0, result.stderr);
    assertOneCopyEach(dirs, bytes);
  });

  it('a pipe, routing on the last header of a 200 KiB header block: the chunks kept for routing are copies, so the message arrives byte-exact', async () => {
    // The header block spans several 64 KiB reads; peekHeaderBlock keeps them while it looks
    // for the blank line, while the reader reuses its buffer. Without a copy, the replayed
    // start of the message would be overwritten by later bytes.
    const filler = Array.from({ length: 4000 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(40)}\n`).join('');
    const bytes = message(400 * 1024, `${filler}List-Id: <ci.example.org>\n`);
    const wanted = box.maildir('route-yes');
    const unwanted = box.maildir('route-no');
    const config = box.config(
      {
        targets: [
          { name: 'yes', path: wanted, match: { header: 'List-Id', contains: 'ci.example.org' } },
          { name: 'no', path: unwanted, match: { header: 'List-Id', contains: 'other' } },
        ],
        unmatched: 'defer',
      },
      'route.json',
    );
    const file = box.file('route.eml', bytes);
    const result = await runShell('cat "$1" | "$0" --config "$2"', [file, config]);
    assert.equal(result.code, 0, result.stderr);
    assertOneCopyEach([wanted], bytes);
    assertNothingDelivered([unwanted]);
  });

  it('a regular file (< file): byte-exact; read from where the file offset stands, as a wrapper that consumed a prefix left it', async () => {
    const whole = box.maildir('file-whole');
    const rest = box.maildir('file-rest');
    const bytes = message(300 * 1024);
    const file = box.file('file.eml', bytes);
    const first = await runShell('exec "$0" "$2" < "$1"', [file, whole]);
    assert.equal(first.code, 0, first.stderr);
    assertOneCopyEach([whole], bytes);
    // dd reads exactly the first 5 bytes and leaves the file offset there.
    const second = await runShell('{ dd bs=1 count=5 of=/dev/null 2>/dev/null; exec "$0" "$2"; } < "$1"', [
      file,
      rest,
    ]);
    assert.equal(second.code, 0, second.stderr);
    assertOneCopyEach([rest], bytes.subarray(5));
  });

  describe('a FIFO that stays open and silent (a stalled MTA)', () => {
    /** A FIFO opened read-write here, so that it has a writer that never writes. */
    function stalledFifo(name: string): { fd: number; close(): void } {
      const path = join(box.dir, name);
      const made = spawnSync('mkfifo', ['-m', '0644', path]);
      assert.equal(made.status, 0, made.stderr.toString());
      const fd = openSync(path, constants.O_RDWR);
      return { fd, close: () => closeSync(fd) };
    }

    it('--timeout 1: exit 75 with 4.4.7 within a few seconds, nothing delivered, no tmp file', async () => {
      const dir = box.maildir('fifo-deadline');
      const fifo = stalledFifo('deadline.fifo');
      try {
        const started = Date.now();
        const result = await runShell('exec "$0" --timeout 1 "$1"', [dir], fifo.fd);
        assertFailure(result, EX_TEMPFAIL, '4.4.7', 'timed out after 1 s');
        // A blocking read(2) in Node's thread pool would hold the exit until the FIFO closes.
        assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
        assertNothingDelivered([dir]);
        assert.deepEqual(listMaildir(dir).tmp, []);
      } finally {
        fifo.close();
      }
    });

    it('SIGTERM while waiting for input: exit 75 with 4.3.0, promptly, no tmp file', async () => {
      const dir = box.maildir('fifo-term');
      const fifo = stalledFifo('term.fifo');
      try {
        const child = spawn(cliPath(), [dir], {
          env: { PATH: '/usr/bin:/bin', HOME: testHome() },
          stdio: [fifo.fd, 'pipe', 'pipe'],
          ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
        });
        const done = finished(child);
        // Once it has created its tmp file it is certainly waiting for the message.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const sent = Date.now();
        child.kill('SIGTERM');
        const result = await done;
        assertFailure(result, EX_TEMPFAIL, '4.3.0', 'interrupted by SIGTERM');
        assert.ok(Date.now() - sent < 5000, `took ${Date.now() - sent} ms`);
        assertNothingDelivered([dir]);
        assert.deepEqual(listMaildir(dir).tmp, []);
      } finally {
        fifo.close();
      }
    });
  });
});
