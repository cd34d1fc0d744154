// A message over the size limit is the one permanent failure here (DESIGN.md guarantee 5): exit
// 65 (100 for qmail) with RFC 3463 5.2.3 "message length exceeds administrative limit", nothing
// delivered and no tmp file left, although the copies were already being written.
import { after, describe, it } from 'node:test';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_DATAERR,
  QMAIL_HARD,
} from './fault-helpers';
import { runCli, sandbox } from './harness';

/** A message of exactly `bytes` bytes: headers, then a body of x's and newlines. */
function messageOf(bytes: number): string {
  const head = 'From: ci@example.org\nSubject: size\n\n';
  const body = 'x'.repeat(bytes - head.length - 1);
  return `${head}${body}\n`;
}

describe('the size limit', () => {
  const box = sandbox();
  after(() => box.remove());

  for (const mode of ['hard links', '--copy'] as const) {
    it(`--size-limit 1K, a 5 KiB message, ${mode}: exit 65, 5.2.3 with both sizes, nothing in tmp/ or new/ of any of 3 targets`, async () => {
      const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`over-${mode}/${name}`));
      const copy = mode === '--copy' ? ['--copy'] : [];
      const result = await runCli(['--size-limit', '1K', ...copy, ...dirs], { input: messageOf(5 * 1024) });
      assertFailure(result, EX_DATAERR, '5.2.3', 'message is 5120 bytes', 'size limit of 1024 bytes');
      assertNothingDelivered(dirs);
    });
  }

  it('--size-limit 1M, a 3 MiB message (read in 64 KiB chunks: its first MiB reaches tmp/), --copy: exit 65, 5.2.3, no tmp file left in any target', async () => {
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`streamed/${name}`));
    const result = await runCli(['--size-limit', '1M', '--copy', ...dirs], {
      input: messageOf(3 * 1024 * 1024),
    });
    assertFailure(
      result,
      EX_DATAERR,
      '5.2.3',
      `message is ${3 * 1024 * 1024} bytes`,
      'size limit of 1048576 bytes',
    );
    assertNothingDelivered(dirs);
  });

  it('--size-limit 1K: a message of exactly 1024 bytes is delivered to every target', async () => {
    const dirs = ['a', 'b', 'c'].map((name) => box.maildir(`exact/${name}`));
    const message = messageOf(1024);
    assertSilentSuccess(await runCli(['--size-limit', '1K', ...dirs], { input: message }));
    assertOneCopyEach(dirs, message);
  });

  it('--size-limit 1K: a message of 1025 bytes is refused: exit 65, 5.2.3, nothing delivered', async () => {
    const dirs = ['a', 'b'].map((name) => box.maildir(`one-over/${name}`));
    const result = await runCli(['--size-limit', '1K', ...dirs], { input: messageOf(1025) });
    assertFailure(result, EX_DATAERR, '5.2.3', 'message is 1025 bytes');
    assertNothingDelivered(dirs);
  });

  it('config sizeLimit "1K", a 5 KiB message: exit 65, 5.2.3, nothing delivered', async () => {
    const dirs = ['a', 'b'].map((name) => box.maildir(`config/${name}`));
    const config = box.config(
      {
        targets: [
          { name: 'a', path: 'a' },
          { name: 'b', path: 'b' },
        ],
        sizeLimit: '1K',
      },
      'config/targets.json',
    );
    const result = await runCli(['--config', config], { input: messageOf(5 * 1024) });
    assertFailure(result, EX_DATAERR, '5.2.3', 'size limit of 1024 bytes');
    assertNothingDelivered(dirs);
  });

  it('--size-limit on the command line overrides the config: 5 KiB passes with config "1K" and --size-limit 8K', async () => {
    const dirs = ['a', 'b'].map((name) => box.maildir(`override/${name}`));
    const config = box.config(
      {
        targets: [
          { name: 'a', path: 'a' },
          { name: 'b', path: 'b' },
        ],
        sizeLimit: '1K',
      },
      'override/targets.json',
    );
    const message = messageOf(5 * 1024);
    assertSilentSuccess(await runCli(['--config', config, '--size-limit', '8K'], { input: message }));
    assertOneCopyEach(dirs, message);
  });

  it('--exit-codes qmail: an oversized message is permanent for qmail: exit 100, 5.2.3, nothing delivered', async () => {
    const dirs = ['a', 'b'].map((name) => box.maildir(`qmail/${name}`));
    const result = await runCli(['--exit-codes', 'qmail', '--size-limit', '1K', ...dirs], {
      input: messageOf(5 * 1024),
    });
    assertFailure(result, QMAIL_HARD, '5.2.3', 'message is 5120 bytes');
    assertNothingDelivered(dirs);
  });
});
