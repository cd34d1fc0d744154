// SIGTERM, SIGINT and SIGHUP while a message streams in (an MTA's time limit, an operator's ^C,
// a lost terminal): exit 75 naming the signal, and this run's tmp files removed from every
// target before exit (DESIGN.md guarantee 6); nothing was published, so nothing is in new/.
import assert from 'node:assert/strict';
import type { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { assertFailure, assertNothingDelivered, EX_TEMPFAIL, pollUntil, tmpBytes } from './fault-helpers';
import { finished, listMaildir, sandbox, startCli } from './harness';

const CHUNK = Buffer.alloc(64 * 1024, 'signal test line\n');
/** The message would be 100 MiB; the signal comes long before that. */
const MESSAGE_BYTES = 100 * 1024 * 1024;
const STREAMED = 1024 * 1024;

/** Writes one chunk and waits until the pipe took it (or failed: the CLI may be gone). */
function writeChunk(stdin: Writable, chunk: Buffer): Promise<void> {
  return new Promise((done) => stdin.write(chunk, () => done()));
}

describe('a signal while the message streams in', () => {
  const box = sandbox();
  after(() => box.remove());

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    for (const mode of ['hard links', '--copy'] as const) {
      it(`${signal} after 1 MiB of a 100 MiB message reached tmp/ (${mode}): exit 75, 4.3.0 naming ${signal}, nothing left in tmp/ or new/ of any of 3 targets`, async () => {
        const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`${signal}-${mode}/${name}`));
        // With hard links only a's file is written while streaming; with --copy, all three.
        const writers = mode === '--copy' ? dirs : dirs.slice(0, 1);
        const child = startCli([...(mode === '--copy' ? ['--copy'] : []), ...dirs]);
        const done = finished(child);

        await writeChunk(child.stdin!, Buffer.from('From: ci@example.org\nSubject: big\n\n'));
        let sent = 0;
        while (!writers.every((dir) => tmpBytes(dir) >= STREAMED)) {
          assert.ok(sent < MESSAGE_BYTES, `${sent} bytes sent and tmp/ still holds less than 1 MiB`);
          await writeChunk(child.stdin!, CHUNK);
          sent += CHUNK.length;
        }
        assert.ok(child.kill(signal), `could not send ${signal}`);
        // The MTA goes on writing the rest of the message until the pipe breaks (EPIPE ignored).
        for (let i = 0; i < 16 && child.exitCode === null; i++) await writeChunk(child.stdin!, CHUNK);
        child.stdin!.end();

        const result = await done;
        assertFailure(result, EX_TEMPFAIL, '4.3.0', `interrupted by ${signal}`);
        assertNothingDelivered(dirs);
      });
    }
  }

  it('SIGTERM before any byte of the message arrived (tmp file just created): exit 75, 4.3.0, no tmp file left', async () => {
    const dirs = ['a', 'b'].map((name) => box.maildir(`early/${name}`));
    const child = startCli(['--copy', ...dirs]);
    const done = finished(child);
    await pollUntil(
      () => dirs.every((dir) => listMaildir(dir).tmp.length === 1),
      'a tmp file in each target',
    );
    child.kill('SIGTERM');
    child.stdin!.end();
    assertFailure(await done, EX_TEMPFAIL, '4.3.0', 'interrupted by SIGTERM');
    assertNothingDelivered(dirs);
  });
});
