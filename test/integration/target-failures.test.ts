// A target that cannot take the message fails the whole delivery before any byte is written:
// exit 75 (an operator's mistake is never permanent), the RFC 3463 code and the target's name on
// stderr, and no copy and no tmp file in any target (DESIGN.md guarantees 2 and 6).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_TEMPFAIL,
  MESSAGE,
  QMAIL_SOFT,
} from './fault-helpers';
import { runCli, sandbox, type Sandbox } from './harness';

/** Three maildirs a, b, c under `group`, and a config naming them. */
function threeTargets(box: Sandbox, group: string): { dirs: string[]; config: string } {
  const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`${group}/${name}`));
  const config = box.config(
    { targets: ['a', 'b', 'c'].map((name) => ({ name, path: name })) },
    `${group}/targets.json`,
  );
  return { dirs, config };
}

describe('a target that cannot take the message', () => {
  const box = sandbox();
  after(() => box.remove());

  for (const sub of ['tmp', 'new'] as const) {
    it(`a target whose ${sub}/ is unwritable (0500) among 3: exit 75, 4.2.0 naming the target and ${sub}/, no copy in any target, no tmp file left; after chmod 0700 the same message delivers one copy to each`, async () => {
      const { dirs, config } = threeTargets(box, `unwritable-${sub}`);
      const locked = join(dirs[1]!, sub);
      chmodSync(locked, 0o500);
      try {
        const result = await runCli(['--config', config], { input: MESSAGE });
        assertFailure(result, EX_TEMPFAIL, '4.2.0', 'target b:', locked, 'permission denied');
        assertNothingDelivered(dirs);
      } finally {
        chmodSync(locked, 0o700);
      }
      assertSilentSuccess(await runCli(['--config', config], { input: MESSAGE }));
      assertOneCopyEach(dirs, MESSAGE);
    });
  }

  it('a target whose maildir does not exist (among 3): exit 75, 4.2.1 naming the target and its path, nothing delivered anywhere', async () => {
    const { dirs, config } = threeTargets(box, 'missing');
    rmSync(dirs[1]!, { recursive: true });
    const result = await runCli(['--config', config], { input: MESSAGE });
    assertFailure(result, EX_TEMPFAIL, '4.2.1', 'target b:', `${dirs[1]!} does not exist`);
    assertNothingDelivered([dirs[0]!, dirs[2]!]);
  });

  it('a maildir argument that does not exist: exit 75, 4.2.1 naming the path, the other argument gets nothing', async () => {
    const good = box.maildir('missing-arg/good');
    const absent = join(box.dir, 'missing-arg/absent');
    const result = await runCli([good, absent], { input: MESSAGE });
    assertFailure(result, EX_TEMPFAIL, '4.2.1', `target ${absent}:`, 'does not exist');
    assertNothingDelivered([good]);
  });

  for (const sub of ['tmp', 'new', 'cur'] as const) {
    it(`not a maildir (${sub}/ missing): exit 75, 4.2.1 naming the target and the missing ${sub}/, nothing delivered anywhere`, async () => {
      const { dirs, config } = threeTargets(box, `no-${sub}`);
      const missing = join(dirs[2]!, sub);
      rmSync(missing, { recursive: true });
      const result = await runCli(['--config', config], { input: MESSAGE });
      assertFailure(result, EX_TEMPFAIL, '4.2.1', 'target c:', 'not a maildir', missing);
      assertNothingDelivered([dirs[0]!, dirs[1]!]);
      mkdirSync(missing); // so that the check below can list it
      box.own(missing);
      assertNothingDelivered([dirs[2]!]);
    });
  }

  it('a target path that is a regular file: exit 75, 4.2.1 "is not a directory", nothing delivered anywhere', async () => {
    const { dirs, config } = threeTargets(box, 'file-target');
    rmSync(dirs[0]!, { recursive: true });
    box.file('file-target/a', 'not a maildir\n');
    const result = await runCli(['--config', config], { input: MESSAGE });
    assertFailure(result, EX_TEMPFAIL, '4.2.1', 'target a:', `${dirs[0]!} is not a directory`);
    assertNothingDelivered([dirs[1]!, dirs[2]!]);
  });

  it('two targets that are one maildir (through a symlink): exit 75, 4.3.5 naming both, nothing delivered', async () => {
    const real = box.maildir('same/real');
    const other = box.maildir('same/other');
    const alias = join(box.dir, 'same/alias');
    symlinkSync(real, alias);
    const result = await runCli([real, other, alias], { input: MESSAGE });
    assertFailure(
      result,
      EX_TEMPFAIL,
      '4.3.5',
      `target ${alias}:`,
      `same maildir as ${real} (target ${real})`,
    );
    assertNothingDelivered([real, other]);
  });

  it('with --exit-codes qmail a missing maildir is temporary: exit 111, 4.2.1', async () => {
    const good = box.maildir('qmail-missing/good');
    const absent = join(box.dir, 'qmail-missing/absent');
    const result = await runCli(['--exit-codes', 'qmail', good, absent], { input: MESSAGE });
    assertFailure(result, QMAIL_SOFT, '4.2.1', `target ${absent}:`);
    assertNothingDelivered([good]);
  });
});
