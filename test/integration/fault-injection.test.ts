// Faults after streaming started, in the unmodified tool: strace makes one fsync(2), link(2) or
// rename(2) fail, or a file-size limit makes write(2) fail. Before publishing, every failure must
// leave no copy and no tmp file in any target, exit 75 with a 4.x.x code naming the target or
// the journal (DESIGN.md guarantee 2); once publishing has begun, the tmp copies not yet
// published belong to the journal and stay in tmp/, the exit is 75 and says "the retry
// publishes the rest" (guarantee 3). Either way a retry of the same message then leaves exactly
// one copy in each target.
// With hard links (the default) only target a's file is written and b and c get link(2)s of it
// in their tmp/; --copy writes and syncs three files. Then the journal writes its intent record
// with write-record.ts (a temporary file, fsync, rename into pending/) and fsyncs pending/;
// publishing is one rename(2) per target; the record is renamed into done/ at the end.
// File-system calls run in target order (a, b, c) on one thread (see runWithFault), so "the Nth
// call" names one step (recount with `UV_THREADPOOL_SIZE=1 strace -f -e trace=fsync,rename,link`):
//   hard links: fsync 1 = a's tmp file; link 1, 2 = into b/tmp, c/tmp; fsync 2 = the record;
//               rename 1 = the record into pending/; fsync 3 = pending/;
//               rename 2, 3, 4 = into a/new, b/new, c/new; fsync 4, 5, 6 = a/new, b/new, c/new;
//               rename 5 = the record into done/.
//   --copy:     fsync 1, 2, 3 = tmp files of a, b, c; fsync 4 = the record; rename 1 = the
//               record into pending/; fsync 5 = pending/; rename 2, 3, 4 = into a/new, b/new,
//               c/new; fsync 6, 7, 8 = a/new, b/new, c/new; rename 5 = the record into done/.
// Every case has its own journal (--state-dir in its sandbox folder): a pending record left by
// one case would be finished by the next case's delivery and shift its syscall counts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_TEMPFAIL,
  journalRecords,
  MESSAGE,
  runWithFault,
  runWithFileSizeLimit,
  type Fault,
} from './fault-helpers';
import { listMaildir, readNew, runCli, sandbox } from './harness';

type Mode = 'hard links' | '--copy';
const flags = (mode: Mode): string[] => (mode === '--copy' ? ['--copy'] : []);

describe('a fault after streaming started', () => {
  const box = sandbox();
  after(() => box.remove());
  let group = 0;
  /** Three maildirs a, b, c and the arguments that deliver to them with this case's journal. */
  const threeMaildirs = (mode: Mode): { dirs: string[]; state: string; args: string[] } => {
    group += 1;
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`fault-${group}/${name}`));
    const state = join(box.dir, `fault-${group}`, 'state');
    return { dirs, state, args: [...flags(mode), '--state-dir', state, ...dirs] };
  };

  // Before the journal: the fault, the target (0 = a, 1 = b, 2 = c) and status it must report.
  const beforeJournal: readonly {
    mode: Mode;
    what: string;
    fault: Fault;
    target: number;
    status: string;
    says: string;
  }[] = [
    {
      mode: 'hard links',
      what: "fsync of the one written tmp file (a's) fails with EIO",
      fault: { syscall: 'fsync', errno: 'EIO', when: 1 },
      target: 0,
      status: '4.3.0',
      says: 'syncing',
    },
    {
      mode: 'hard links',
      what: "link of the synced file into b's tmp/ fails with EDQUOT",
      fault: { syscall: 'link', errno: 'EDQUOT', when: 1 },
      target: 1,
      status: '4.2.2',
      says: 'disk quota exceeded',
    },
    {
      mode: 'hard links',
      what: "link of the synced file into c's tmp/ fails with ENOSPC",
      fault: { syscall: 'link', errno: 'ENOSPC', when: 2 },
      target: 2,
      status: '4.3.1',
      says: 'no space left on device',
    },
    ...(
      [
        ['EIO', '4.3.0', 'input/output error'],
        ['ENOSPC', '4.3.1', 'no space left on device'],
        ['EDQUOT', '4.2.2', 'disk quota exceeded'],
      ] as const
    ).map(([errno, status, says]) => ({
      mode: '--copy' as const,
      what: `fsync of b's tmp copy fails with ${errno}`,
      fault: { syscall: 'fsync' as const, errno, when: 2 },
      target: 1,
      status,
      says,
    })),
  ];
  for (const c of beforeJournal) {
    it(`${c.mode}, ${c.what}: exit 75, ${c.status} naming target ${'abc'[c.target]!}, no copy and no tmp file in any of 3 targets, no pending record; a retry delivers one copy to each`, async () => {
      const { dirs, state, args } = threeMaildirs(c.mode);
      const result = await runWithFault(c.fault, args, MESSAGE);
      assertFailure(
        result,
        EX_TEMPFAIL,
        c.status,
        `target ${dirs[c.target]!}:`,
        c.says,
        `(${c.fault.errno})`,
      );
      assertNothingDelivered(dirs);
      assert.deepEqual(journalRecords(state).pending, []);

      assertSilentSuccess(await runCli(args, { input: MESSAGE }));
      assertOneCopyEach(dirs, MESSAGE);
    });
  }

  // The intent record cannot be made durable: nothing is published, the exit is 75 naming the
  // journal. Either every tmp copy is removed (all or nothing) or the failure says the retry
  // publishes them; the retry must deliver exactly one copy to each target.
  const intentFails: readonly { mode: Mode; what: string; fault: Fault; status: string; says: string }[] = [
    {
      mode: 'hard links',
      what: 'fsync of the intent record fails with EIO',
      fault: { syscall: 'fsync', errno: 'EIO', when: 2 },
      status: '4.3.0',
      says: 'input/output error',
    },
    {
      mode: '--copy',
      what: 'fsync of the intent record fails with ENOSPC',
      fault: { syscall: 'fsync', errno: 'ENOSPC', when: 4 },
      status: '4.3.1',
      says: 'no space left on device',
    },
    {
      mode: 'hard links',
      what: 'rename of the intent record into pending/ fails with EIO',
      fault: { syscall: 'rename', errno: 'EIO', when: 1 },
      status: '4.3.0',
      says: 'input/output error',
    },
    // The record is in pending/ by then; only the fsync of the folder failed.
    {
      mode: 'hard links',
      what: 'fsync of pending/ fails with EIO (the record written, not yet durable)',
      fault: { syscall: 'fsync', errno: 'EIO', when: 3 },
      status: '4.3.0',
      says: 'input/output error',
    },
  ];
  for (const c of intentFails) {
    it(`${c.mode}, ${c.what}: exit 75, ${c.status} naming the journal, no copy in any of 3 targets; a retry delivers one copy to each`, async () => {
      const { dirs, state, args } = threeMaildirs(c.mode);
      const result = await runWithFault(c.fault, args, MESSAGE);
      assertFailure(result, EX_TEMPFAIL, c.status, `journal ${state}/journal/`, c.says, `(${c.fault.errno})`);
      for (const dir of dirs) assert.deepEqual(listMaildir(dir).new, [], `nothing published in ${dir}`);
      if (!result.stderr.endsWith('; the retry finishes the delivery\n')) {
        assertNothingDelivered(dirs);
        assert.deepEqual(journalRecords(state).pending, [], 'a pending record but no tmp copy for it');
      }

      assertSilentSuccess(await runCli(args, { input: MESSAGE }));
      assertOneCopyEach(dirs, MESSAGE);
      assert.deepEqual(journalRecords(state).pending, []);
    });
  }

  for (const mode of ['hard links', '--copy'] as const) {
    it(`${mode}, write(2) fails with EFBIG half-way through a 1 MiB message (64 KiB file-size limit): exit 75, 4.3.4 naming target a, no copy and no tmp file in any of 3 targets`, async () => {
      const { dirs, state, args } = threeMaildirs(mode);
      const message = `Subject: big\n\n${'0123456789abcde\n'.repeat(64 * 1024)}`;
      const result = await runWithFileSizeLimit(64, args, message);
      assertFailure(result, EX_TEMPFAIL, '4.3.4', `target ${dirs[0]!}: writing`, '(EFBIG)');
      assertNothingDelivered(dirs);
      assert.deepEqual(journalRecords(state).pending, []);
    });
  }

  // Publishing part-way: the rename of target `target`'s tmp file into its new/ fails. Targets
  // before it hold the message; its tmp copy and those after it stay in tmp/ for the journal,
  // the failure is temporary and says so; the retry publishes exactly those.
  for (const [mode, when, target] of [
    ['hard links', 2, 0],
    ['--copy', 2, 0],
    ['hard links', 3, 1],
    ['--copy', 3, 1],
  ] as const) {
    const name = 'abc'[target]!;
    const before =
      target === 0
        ? 'the first publish'
        : `after ${'abc'.slice(0, target).split('').join(', ')} got the message`;
    it(`${mode}, rename of ${name}'s tmp file into ${name}/new fails with EIO (${before}): exit 75, 4.3.0 naming target ${name}, "the retry finishes the delivery"; the unpublished copies stay in tmp/; the retry leaves exactly one copy in each target`, async () => {
      const { dirs, state, args } = threeMaildirs(mode);
      const result = await runWithFault({ syscall: 'rename', errno: 'EIO', when }, args, MESSAGE);
      assertFailure(result, EX_TEMPFAIL, '4.3.0', `target ${dirs[target]!}: moving`, '(EIO)');
      const delivered = dirs.slice(0, target).join(', ');
      const tail =
        target === 0
          ? '(EIO); the retry finishes the delivery\n'
          : `; already delivered to: ${delivered}; the retry finishes the delivery\n`;
      assert.ok(result.stderr.endsWith(tail), `must end with ${JSON.stringify(tail)}: ${result.stderr}`);
      for (const [index, dir] of dirs.entries()) {
        const listing = listMaildir(dir);
        const published = index < target;
        assert.deepEqual(
          [listing.new.length, listing.tmp.length],
          published ? [1, 0] : [0, 1],
          `${dir}: ${published ? 'one copy in new/' : 'its tmp copy kept for the journal'}`,
        );
        if (published) assert.deepEqual(readNew(dir), [Buffer.from(MESSAGE)]);
      }
      assert.equal(journalRecords(state).pending.length, 1, 'the intent record stays pending');

      assertSilentSuccess(await runCli(args, { input: MESSAGE }));
      assertOneCopyEach(dirs, MESSAGE);
      assert.deepEqual(journalRecords(state).pending, []);
      assert.equal(journalRecords(state).done.length, 1);
    });
  }

  // Without the journal nothing can finish the delivery later, so the unpublished tmp copies are
  // removed like on any other error (guarantee 6), and the failure says where the message is.
  // Syscalls: no journal record, so rename 1, 2, 3 = into a/new, b/new, c/new.
  it('--no-journal, hard links, rename of b\'s tmp file into b/new fails with EIO after a was published: exit 75, 4.3.0 naming target b and "already delivered to" a, one copy in a, none in b or c, no tmp file anywhere', async () => {
    const { dirs, state, args } = threeMaildirs('hard links');
    const [a, b, c] = dirs as [string, string, string];
    const result = await runWithFault(
      { syscall: 'rename', errno: 'EIO', when: 2 },
      ['--no-journal', ...args],
      MESSAGE,
    );
    assertFailure(result, EX_TEMPFAIL, '4.3.0', `target ${b}: moving`);
    assert.ok(
      result.stderr.endsWith(`; already delivered to: ${a}\n`),
      `only a is delivered: ${result.stderr}`,
    );
    assertOneCopyEach([a], MESSAGE);
    assertNothingDelivered([b, c]);
    assert.deepEqual(journalRecords(state), { pending: [], done: [] });
  });

  it('hard links, fsync of b/new fails after all 3 were published: exit 75, 4.3.0 naming b/new, "already delivered to" a, b and c, one copy in each, no tmp file; a retry adds no copy', async () => {
    const { dirs, args } = threeMaildirs('hard links');
    const [a, b, c] = dirs as [string, string, string];
    const result = await runWithFault({ syscall: 'fsync', errno: 'EIO', when: 5 }, args, MESSAGE);
    assertFailure(
      result,
      EX_TEMPFAIL,
      '4.3.0',
      `target ${b}: syncing ${b}/new`,
      `already delivered to: ${a}, ${b}, ${c}`,
    );
    for (const dir of dirs) {
      assert.deepEqual(listMaildir(dir).tmp, []);
      assert.deepEqual(readNew(dir), [Buffer.from(MESSAGE)]);
    }

    assertSilentSuccess(await runCli(args, { input: MESSAGE }));
    assertOneCopyEach(dirs, MESSAGE);
  });

  // Moving the record to done/ is the last step and best effort: every copy is published and
  // synced, so the delivery has succeeded; the next run finds the record pending and completes
  // it without publishing anything twice.
  it('hard links, rename of the record into done/ fails with EIO: exit 0, one copy in each; a retry adds no copy and completes the record', async () => {
    const { dirs, state, args } = threeMaildirs('hard links');
    assertSilentSuccess(await runWithFault({ syscall: 'rename', errno: 'EIO', when: 5 }, args, MESSAGE));
    assertOneCopyEach(dirs, MESSAGE);
    assert.equal(journalRecords(state).pending.length, 1);

    assertSilentSuccess(await runCli(args, { input: MESSAGE }));
    assertOneCopyEach(dirs, MESSAGE);
    assert.deepEqual(journalRecords(state).pending, []);
    assert.equal(journalRecords(state).done.length, 1);
  });
});
