// --log syslog hands the log line to logger(1) (src/log/write.ts), which is loaded only then
// (src/runtime/builtins.ts). A stand-in logger first in PATH records what it was given.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertOneCopyEach, assertSilentSuccess, pollUntil } from './fault-helpers';
import { runCli, sandbox } from './harness';

describe('--log syslog', () => {
  const box = sandbox();
  after(() => box.remove());

  it('runs logger -t maildir-fanout -p mail.info with the line (without our time stamp); the delivery succeeds', async () => {
    const said = join(box.dir, 'logger-args');
    mkdirSync(join(box.dir, 'bin'), { mode: 0o755 });
    const logger = box.file('bin/logger', `#!/bin/sh\nprintf '%s\\n' "$@" > ${said}\n`, 0o755);
    chmodSync(logger, 0o755);
    const maildir = box.maildir('syslog');
    const message = 'From: ci@example.org\nSubject: syslog\n\nbody\n';
    const result = await runCli(['--log', 'syslog', maildir], {
      input: message,
      env: { PATH: `${join(box.dir, 'bin')}:/usr/bin:/bin` },
    });
    assertSilentSuccess(result);
    assertOneCopyEach([maildir], message);
    await pollUntil(() => existsSync(said), 'logger to run');
    const args = readFileSync(said, 'utf8').split('\n');
    assert.deepEqual(args.slice(0, 5), ['-t', 'maildir-fanout', '-p', 'mail.info', '--']);
    assert.match(
      args[5] ?? '',
      /^maildir-fanout\[\d+\]: status=delivered sha256=[0-9a-f]{64} /,
      args.join('|'),
    );
  });
});
