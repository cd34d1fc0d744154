// Deterministic faults at each step of publishing, in the unmodified tool (strace fault
// injection; see journal-helpers.runWithInjection), for DESIGN.md guarantee 3: a delivery that
// fails part-way exits 75 saying what was already delivered, and the MTA's retry (a fresh From_
// line) completes the missing targets without a second copy anywhere. A failure before anything
// is published, the journal's own intent included, leaves nothing anywhere.
//
// The renames of a delivery to 3 maildirs, in order (checked by the first test, from a trace):
//   1 write-record.ts's temp file → pending/<digest>.json (the intent)
//   2, 3, 4 tmp/<name> → new/<name> of targets a, b, c (publishing, maildir step 6)
//   5 pending/<digest>.json → done/<digest>.json (completion)
// and its fsyncs, with hard links (the default): 1 a's tmp file (b and c get links to it),
// 2 the intent file, 3 pending/, 4, 5, 6 new/ of a, b, c.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { recordName } from '../../src/journal/layout';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_TEMPFAIL,
} from './fault-helpers';
import { cliPath, listMaildir, runCli, sandbox, testHome } from './harness';
import {
  digestOf,
  journalOf,
  maildirsIn,
  names,
  readRecordIn,
  runAsTestUser,
  runWithInjection,
  stamped,
} from './journal-helpers';

describe('a fault at each step of publishing, then the retry', () => {
  const box = sandbox();
  after(() => box.remove());
  let group = 0;
  /** Three fresh maildirs, a state folder of their own and a message no other test sends. */
  const setUp = (): { dirs: string[]; state: string; message: string; digest: string; args: string[] } => {
    group += 1;
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`g${group}/${name}`));
    const state = join(box.dir, `g${group}/state`);
    const message =
      `From: ci@example.org\nTo: bb@example.org\nMessage-ID: <faults.${group}.${process.pid}@example.org>\n` +
      `Subject: fault ${group}\n\nbody ${group}\n`;
    return { dirs, state, message, digest: digestOf(message), args: ['--state-dir', state, ...dirs] };
  };

  it('the renames of a delivery to a, b, c are: the intent, a, b, c, then completion', async () => {
    const { dirs, state, message, digest, args } = setUp();
    const trace = join(box.dir, `g${group}/renames.trace`);
    const result = await runAsTestUser(
      'strace',
      ['-f', '-qq', '-o', trace, '-e', 'trace=rename,renameat,renameat2', cliPath(), ...args],
      stamped(message, 1),
      { PATH: '/usr/bin:/bin', HOME: testHome(), UV_THREADPOOL_SIZE: '1' },
    );
    assertSilentSuccess(result);
    const layout = journalOf(state);
    const renames = [...readFileSync(trace, 'utf8').matchAll(/(\w+)\("([^"]*)", "([^"]*)"\) = 0/g)].map(
      ([, call, from, to]) =>
        `${call!} ${from!.startsWith(`${layout.pending}/${recordName(digest)}.`) ? 'pending temp' : from!} -> ${to!}`,
    );
    const copies = readRecordIn(layout.done, digest)!.copies;
    assert.deepEqual(renames, [
      `rename pending temp -> ${join(layout.pending, recordName(digest))}`,
      ...dirs.map(
        (dir, i) => `rename ${copies[i]!.tmp} -> ${join(dir, 'new', copies[i]!.new.split('/').pop()!)}`,
      ),
      `rename ${join(layout.pending, recordName(digest))} -> ${join(layout.done, recordName(digest))}`,
    ]);
  });

  for (const [mode, k] of (['hard links', '--copy'] as const).flatMap((m) =>
    [1, 2, 3].map((k) => [m, k] as const),
  )) {
    const target = 'abc'[k - 1]!;
    it(`${mode}: the rename publishing into target ${target} (${k} of 3) fails with EIO: exit 75, 4.3.0 naming ${target} and what was already delivered; the retry exits 0 with exactly one copy in each, tmp/ and pending/ empty, done/ has the record`, async () => {
      const { dirs, state, message, digest, args: plain } = setUp();
      // --copy writes three files: the renames are the same, in the same order.
      const args = mode === '--copy' ? ['--copy', ...plain] : plain;
      const layout = journalOf(state);
      const failed = await runWithInjection(
        { syscall: 'rename', errno: 'EIO', when: k + 1 },
        args,
        stamped(message, 1),
      );
      assertFailure(
        failed,
        EX_TEMPFAIL,
        '4.3.0',
        `target ${dirs[k - 1]!}: moving`,
        '(EIO)',
        'the retry finishes the delivery',
      );
      const before = dirs.slice(0, k - 1);
      if (before.length > 0) {
        assert.ok(failed.stderr.includes(`already delivered to: ${before.join(', ')};`), failed.stderr);
      } else {
        assert.doesNotMatch(failed.stderr, /already delivered/, 'nothing was delivered before a');
      }
      // In between: a, …, k-1 hold the message; k, …, c keep their synced tmp copy, which the
      // pending record names.
      for (const [i, dir] of dirs.entries()) {
        const listing = listMaildir(dir);
        assert.equal(listing.new.length, i < k - 1 ? 1 : 0, `new/ of ${dir} after the failure`);
        assert.equal(listing.tmp.length, i < k - 1 ? 0 : 1, `tmp/ of ${dir} after the failure`);
      }
      const pending = readRecordIn(layout.pending, digest);
      assert.ok(pending !== undefined, 'the intent stays pending for the retry');
      assert.deepEqual(maildirsIn(pending), [...dirs].sort());

      assertSilentSuccess(await runCli(args, { input: stamped(message, 2) }));
      assertOneCopyEach(dirs, message);
      assert.deepEqual(names(layout.pending), [], 'pending/ is empty');
      assert.deepEqual(names(layout.locks), [], 'no lock is left');
      const done = readRecordIn(layout.done, digest);
      assert.ok(done !== undefined, 'done/ has the record');
      assert.deepEqual(maildirsIn(done), [...dirs].sort());
    });
  }

  it('fsync of new/ fails after all 3 were published: exit 75 saying a, b, c already hold it; the retry exits 0 and adds nothing', async () => {
    const { dirs, state, message, digest, args } = setUp();
    const layout = journalOf(state);
    const failed = await runWithInjection(
      { syscall: 'fsync', errno: 'EIO', when: 5 },
      args,
      stamped(message, 1),
    );
    assertFailure(
      failed,
      EX_TEMPFAIL,
      '4.3.0',
      `target ${dirs[1]!}: syncing`,
      `already delivered to: ${dirs.join(', ')}`,
    );
    assertSilentSuccess(await runCli(args, { input: stamped(message, 2) }));
    assertOneCopyEach(dirs, message);
    assert.deepEqual(names(layout.pending), []);
    assert.deepEqual(maildirsIn(readRecordIn(layout.done, digest)!), [...dirs].sort());
  });

  it('the completion rename (pending → done) fails: still exit 0 (every copy is published); the next run finishes the record and adds nothing', async () => {
    const { dirs, state, message, digest, args } = setUp();
    const layout = journalOf(state);
    assertSilentSuccess(
      await runWithInjection({ syscall: 'rename', errno: 'EIO', when: 5 }, args, stamped(message, 1)),
    );
    assertOneCopyEach(dirs, message);
    assert.ok(readRecordIn(layout.pending, digest) !== undefined, 'the record is still pending');
    assertSilentSuccess(await runCli(args, { input: stamped(message, 2) }));
    assertOneCopyEach(dirs, message);
    assert.deepEqual(names(layout.pending), []);
    assert.deepEqual(maildirsIn(readRecordIn(layout.done, digest)!), [...dirs].sort());
  });

  // The intent cannot be written: nothing was published, so like any failure before publishing
  // (guarantee 2) it must leave no copy, no tmp file and no record behind.
  const intentFaults = [
    {
      what: 'fsync of the intent file fails with EIO',
      syscall: 'fsync',
      when: 2,
      errno: 'EIO',
      status: '4.3.0',
    },
    {
      what: 'the rename of the intent into pending/ fails with EIO',
      syscall: 'rename',
      when: 1,
      errno: 'EIO',
      status: '4.3.0',
    },
    {
      what: 'the intent file cannot be created: ENOSPC',
      syscall: 'openat',
      when: 0, // counted by intentOpenIndex
      errno: 'ENOSPC',
      status: '4.3.1',
    },
  ] as const;
  for (const fault of intentFaults) {
    it(`${fault.what}: exit 75, ${fault.status} naming the journal, nothing delivered anywhere, no tmp file and no record left; the retry delivers one copy to each`, async () => {
      const { dirs, state, message, digest, args } = setUp();
      const layout = journalOf(state);
      // openat: the Nth open of a path in pending/ is the intent file (write-record.ts's temp).
      const when = fault.syscall === 'openat' ? await intentOpenIndex(message) : fault.when;
      const failed = await runWithInjection(
        { syscall: fault.syscall, errno: fault.errno, when },
        args,
        stamped(message, 1),
      );
      assertFailure(failed, EX_TEMPFAIL, fault.status, `journal ${layout.root}`, `(${fault.errno})`);
      assertNothingDelivered(dirs);
      assert.deepEqual(names(layout.pending), [], 'no intent (nor a temp file of one) is left in pending/');

      assertSilentSuccess(await runCli(args, { input: stamped(message, 2) }));
      assertOneCopyEach(dirs, message);
      assert.deepEqual(names(layout.pending), []);
      assert.deepEqual(maildirsIn(readRecordIn(layout.done, digest)!), [...dirs].sort());
    });
  }

  // The subtle case: the record is already in pending/ when syncing the folder fails, so it may
  // be there now or reappear after a crash. Removing the tmp copies it names would lose the
  // message: the retry would roll the record forward, find every tmp file gone, take them for
  // published and exit 0 with the message in no maildir. Either the run removes record and
  // copies alike, or it keeps both for the retry; in no case may a copy go while a record
  // naming it stays.
  it('fsync of pending/ fails after the intent was renamed into it (EIO): exit 75 naming the journal, nothing in new/; no tmp copy gone that a pending record names; the retry delivers exactly one copy to each', async () => {
    const { dirs, state, message, digest, args } = setUp();
    const layout = journalOf(state);
    const failed = await runWithInjection(
      { syscall: 'fsync', errno: 'EIO', when: 3 },
      args,
      stamped(message, 1),
    );
    assertFailure(failed, EX_TEMPFAIL, '4.3.0', `journal ${layout.root}`, '(EIO)');
    for (const dir of dirs) assert.deepEqual(listMaildir(dir).new, [], `nothing published into ${dir}`);
    const left = readRecordIn(layout.pending, digest);
    for (const copy of left?.copies ?? []) {
      assert.ok(existsSync(copy.tmp), `${copy.tmp} is gone, but the pending record names it`);
    }
    if (left === undefined) assertNothingDelivered(dirs);

    assertSilentSuccess(await runCli(args, { input: stamped(message, 2) }));
    assertOneCopyEach(dirs, message);
    assert.deepEqual(names(layout.pending), []);
    assert.deepEqual(maildirsIn(readRecordIn(layout.done, digest)!), [...dirs].sort());
  });

  /** Which openat(2) of a delivery like `args` creates the intent file (counted on a dry copy). */
  async function intentOpenIndex(message: string): Promise<number> {
    const probe = setUp();
    const trace = join(box.dir, `g${group}/openat.trace`);
    assertSilentSuccess(
      await runAsTestUser(
        'strace',
        ['-f', '-qq', '-o', trace, '-e', 'trace=openat', cliPath(), ...probe.args],
        stamped(`${message}probe\n`, 1),
        { PATH: '/usr/bin:/bin', HOME: testHome(), UV_THREADPOOL_SIZE: '1' },
      ),
    );
    const pending = journalOf(probe.state).pending;
    // strace counts calls per thread: count only on the thread that opened the intent file.
    const opens = [...readFileSync(trace, 'utf8').matchAll(/^(\d+) +openat\([^,]+, "([^"]*)"/gm)].map(
      (m) => ({
        thread: m[1]!,
        path: m[2]!,
      }),
    );
    const intent = opens.find(({ path }) => path.startsWith(`${pending}/`) && /\.json\.\d+$/.test(path));
    assert.ok(
      intent !== undefined,
      `no open of the intent's temp file among: ${opens.map((o) => o.path).join(' ')}`,
    );
    const index = opens.filter((o) => o.thread === intent.thread).indexOf(intent);
    return index + 1;
  }
});
