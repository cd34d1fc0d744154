// Faults after streaming started, in the unmodified tool: strace makes one fsync(2) or link(2)
// fail, or a file-size limit makes write(2) fail. Before publishing, every failure must leave no
// copy and no tmp file in any target, exit 75 with a 4.x.x code naming the target (DESIGN.md
// guarantee 2); a retry of the same message then delivers exactly one copy to each.
// With hard links (the default) only target a's file is written and b and c get link(2)s of it
// in their tmp/; --copy writes and syncs three files. File-system calls run in target order
// (a, b, c) on one thread (see runWithFault), so "the Nth call" names one target:
//   hard links: fsync 1 = a's tmp file; link 1, 2 = into b/tmp, c/tmp; link 3, 4, 5 = into
//               a/new, b/new, c/new; fsync 2, 3, 4 = a/new, b/new, c/new.
//   --copy:     fsync 1, 2, 3 = tmp files of a, b, c; link 1, 2, 3 = into a/new, b/new, c/new.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_TEMPFAIL,
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
  const threeMaildirs = (): string[] => {
    group += 1;
    return ['a', 'b', 'c'].map((name) => box.maildir(`fault-${group}/${name}`));
  };

  // Before publishing: the fault, the target (0 = a, 1 = b, 2 = c) and status it must report.
  const beforePublishing: readonly {
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
    {
      mode: 'hard links',
      what: "link of a's tmp file into a/new (the first publish) fails with EIO",
      fault: { syscall: 'link', errno: 'EIO', when: 3 },
      target: 0,
      status: '4.3.0',
      says: 'moving',
    },
    {
      mode: '--copy',
      what: "link of a's tmp file into a/new (the first publish) fails with EIO",
      fault: { syscall: 'link', errno: 'EIO', when: 1 },
      target: 0,
      status: '4.3.0',
      says: 'moving',
    },
  ];
  for (const c of beforePublishing) {
    it(`${c.mode}, ${c.what}: exit 75, ${c.status} naming target ${'abc'[c.target]!}, no copy and no tmp file in any of 3 targets; a retry delivers one copy to each`, async () => {
      const dirs = threeMaildirs();
      const result = await runWithFault(c.fault, [...flags(c.mode), ...dirs], MESSAGE);
      assertFailure(
        result,
        EX_TEMPFAIL,
        c.status,
        `target ${dirs[c.target]!}:`,
        c.says,
        `(${c.fault.errno})`,
      );
      assertNothingDelivered(dirs);

      assertSilentSuccess(await runCli([...flags(c.mode), ...dirs], { input: MESSAGE }));
      assertOneCopyEach(dirs, MESSAGE);
    });
  }

  for (const mode of ['hard links', '--copy'] as const) {
    it(`${mode}, write(2) fails with EFBIG half-way through a 1 MiB message (64 KiB file-size limit): exit 75, 4.3.4 naming target a, no copy and no tmp file in any of 3 targets`, async () => {
      const dirs = threeMaildirs();
      const message = `Subject: big\n\n${'0123456789abcde\n'.repeat(64 * 1024)}`;
      const result = await runWithFileSizeLimit(64, [...flags(mode), ...dirs], message);
      assertFailure(result, EX_TEMPFAIL, '4.3.4', `target ${dirs[0]!}: writing`, '(EFBIG)');
      assertNothingDelivered(dirs);
    });
  }

  // Publishing part-way: a already holds the message when b's link into new/ fails. The failure
  // stays temporary and must say which targets already got it; no tmp file may remain.
  for (const [mode, when] of [
    ['hard links', 4],
    ['--copy', 2],
  ] as const) {
    it(`${mode}, link of b's tmp file into b/new fails with EIO after a was published: exit 75, 4.3.0 naming target b and "already delivered to" a, one copy in a, none in b or c, no tmp file anywhere`, async () => {
      const dirs = threeMaildirs();
      const [a, b, c] = dirs as [string, string, string];
      const result = await runWithFault(
        { syscall: 'link', errno: 'EIO', when },
        [...flags(mode), ...dirs],
        MESSAGE,
      );
      assertFailure(result, EX_TEMPFAIL, '4.3.0', `target ${b}: moving`);
      assert.ok(
        result.stderr.endsWith(`; already delivered to: ${a}\n`),
        `only a is delivered: ${result.stderr}`,
      );
      assertOneCopyEach([a], MESSAGE);
      assertNothingDelivered([b, c]);
    });
  }

  it('hard links, fsync of b/new fails after all 3 were published: exit 75, 4.3.0 naming b/new, "already delivered to" a, b and c, one copy in each, no tmp file', async () => {
    const dirs = threeMaildirs();
    const [a, b, c] = dirs as [string, string, string];
    const result = await runWithFault({ syscall: 'fsync', errno: 'EIO', when: 3 }, dirs, MESSAGE);
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
  });
});
