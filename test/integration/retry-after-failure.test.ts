// DESIGN.md guarantee 3, "exactly once across retries and crashes": when publishing fails
// part-way, or the process is killed at any instant, the MTA's retry of the same message (the
// same bytes, ignoring a leading From_ line that the MTA stamps anew) completes the missing
// targets and never adds a second copy to a target that has one.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  assertFailure,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_TEMPFAIL,
  MESSAGE,
  pollUntil,
  runWithFault,
  tmpBytes,
} from './fault-helpers';
import { finished, readNew, runCli, sandbox, startCli } from './harness';

describe('the retry after a failed delivery', () => {
  const box = sandbox();
  after(() => box.remove());

  // Syscall counts: see the map in fault-injection.test.ts (hard links: rename 3 = into b/new,
  // fsync 5 = b/new).
  it('publishing failed after a got the message (rename into b/new: EIO): the retry exits 0 and leaves exactly one copy in each of a, b, c', async () => {
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`partial/${name}`));
    const first = await runWithFault({ syscall: 'rename', errno: 'EIO', when: 3 }, dirs, MESSAGE);
    assertFailure(first, EX_TEMPFAIL, '4.3.0', `already delivered to: ${dirs[0]!}`);

    assertSilentSuccess(await runCli(dirs, { input: MESSAGE }));
    assertOneCopyEach(dirs, MESSAGE);
  });

  it('publishing failed after a got the message: a retry with a freshly stamped From_ line still adds no second copy to a', async () => {
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`restamped/${name}`));
    const stamp = (time: string): string => `From MAILER-DAEMON ${time}\n${MESSAGE}`;
    const first = await runWithFault(
      { syscall: 'rename', errno: 'EIO', when: 3 },
      dirs,
      stamp('Thu Nov 27 10:00:00 2025'),
    );
    assertFailure(first, EX_TEMPFAIL, '4.3.0', `already delivered to: ${dirs[0]!}`);

    assertSilentSuccess(await runCli(dirs, { input: stamp('Thu Nov 27 10:05:00 2025') }));
    assertOneCopyEach(dirs, MESSAGE);
  });

  it('fsync of new/ failed after all 3 were published: the retry exits 0 and adds no second copy anywhere', async () => {
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`synced/${name}`));
    const first = await runWithFault({ syscall: 'fsync', errno: 'EIO', when: 5 }, dirs, MESSAGE);
    assertFailure(first, EX_TEMPFAIL, '4.3.0', 'already delivered to:');

    assertSilentSuccess(await runCli(dirs, { input: MESSAGE }));
    assertOneCopyEach(dirs, MESSAGE);
  });

  it('SIGKILL while the message streams in (nothing published): the retry delivers exactly one copy to each target', async () => {
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`killed/${name}`));
    const child = startCli(['--copy', ...dirs]);
    const done = finished(child);
    child.stdin!.write(MESSAGE.slice(0, 20));
    await pollUntil(() => dirs.every((dir) => tmpBytes(dir) === 20), 'the first 20 bytes in every tmp/');
    child.kill('SIGKILL');
    child.stdin!.end();
    await done;

    assertSilentSuccess(await runCli(['--copy', ...dirs], { input: MESSAGE }));
    // SIGKILL cannot be cleaned up after: the killed run's tmp files may stay (readers remove
    // tmp files older than 36 h). What matters is new/: exactly one byte-exact copy.
    for (const dir of dirs) assert.deepEqual(readNew(dir), [Buffer.from(MESSAGE)], `new/ of ${dir}`);
  });
});
