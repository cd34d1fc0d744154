// The internal deadline (DESIGN.md guarantee 5): a delivery whose input stalls gives up on its
// own, below the MTA's time limit, with a temporary failure (4.4.7 "delivery time expired") and
// without leaving its tmp files behind (guarantee 6).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { assertFailure, assertNothingDelivered, EX_TEMPFAIL, pollUntil, QMAIL_SOFT } from './fault-helpers';
import { finished, listMaildir, sandbox, startCli, type RunResult } from './harness';

/** Starts the CLI, sends `partial` and leaves stdin open; returns the result and the seconds it took. */
async function stalledRun(
  args: readonly string[],
  dirs: readonly string[],
  partial: string,
): Promise<{ result: RunResult; seconds: number }> {
  const started = Date.now();
  const child = startCli(args);
  const done = finished(child);
  child.stdin!.write(partial);
  // The delivery really started: its tmp file exists, so the deadline has something to clean.
  await pollUntil(() => listMaildir(dirs[0]!).tmp.length > 0, 'the tmp file of the first target', 5_000);
  const result = await done;
  const seconds = (Date.now() - started) / 1000;
  child.stdin!.end();
  return { result, seconds };
}

describe('the internal deadline', () => {
  const box = sandbox();
  after(() => box.remove());

  it('--timeout 1 with stdin open and idle after a partial message: exit 75 with 4.4.7 within a few seconds, tmp/ and new/ of both targets empty', async () => {
    const dirs = ['a', 'b'].map((name) => box.maildir(`option/${name}`));
    const { result, seconds } = await stalledRun(
      ['--timeout', '1', ...dirs],
      dirs,
      'Subject: stalled\n\nhal',
    );
    assertFailure(result, EX_TEMPFAIL, '4.4.7', 'delivery timed out after 1 s');
    assert.ok(seconds >= 1 && seconds < 5, `took ${seconds} s`);
    assertNothingDelivered(dirs);
  });

  it('config "timeout": 1 with stdin open and idle (--copy): exit 75 with 4.4.7 within a few seconds, no tmp file left', async () => {
    const dirs = ['a', 'b'].map((name) => box.maildir(`config/${name}`));
    const config = box.config(
      {
        targets: [
          { name: 'a', path: 'a' },
          { name: 'b', path: 'b' },
        ],
        timeout: 1,
      },
      'config/targets.json',
    );
    const { result, seconds } = await stalledRun(['--config', config, '--copy'], dirs, '');
    assertFailure(result, EX_TEMPFAIL, '4.4.7', 'delivery timed out after 1 s');
    assert.ok(seconds >= 1 && seconds < 5, `took ${seconds} s`);
    assertNothingDelivered(dirs);
  });

  it('--exit-codes qmail --timeout 1: the deadline is temporary for qmail: exit 111 with 4.4.7, no tmp file left', async () => {
    const dirs = [box.maildir('qmail/a')];
    const { result } = await stalledRun(
      ['--exit-codes', 'qmail', '--timeout', '1', ...dirs],
      dirs,
      'Subject: q\n',
    );
    assertFailure(result, QMAIL_SOFT, '4.4.7');
    assertNothingDelivered(dirs);
  });
});
