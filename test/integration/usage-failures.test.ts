// A wrong command line in a .forward or .qmail line is an operator's mistake: exit 75 with
// 4.3.5, never an argument parser's exit 1 (which Postfix and Exim bounce), and nothing delivered.
// Running as root without --allow-root is refused the same way (DESIGN.md, Security).
import { after, describe, it } from 'node:test';
import { assertFailure, assertNothingDelivered, EX_TEMPFAIL, MESSAGE } from './fault-helpers';
import { asRoot, runCli, sandbox } from './harness';

describe('unsafe or wrong usage', () => {
  const box = sandbox();
  after(() => box.remove());

  // One line per command line: the arguments (MAILDIR = a real maildir) and the words stderr
  // must contain after "4.3.5 maildir-fanout: ".
  const cases: readonly { name: string; args: readonly string[]; says: string }[] = [
    { name: 'an unknown option', args: ['--bogus', 'MAILDIR'], says: "usage: unknown option '--bogus'" },
    { name: 'no targets at all', args: [], says: 'no targets: give --config FILE or one or more maildirs' },
    {
      name: '--config together with maildir arguments',
      args: ['--config', 'CONFIG', 'MAILDIR'],
      says: 'give either --config or maildir arguments, not both',
    },
    { name: 'an option missing its value', args: ['MAILDIR', '--config'], says: "'-c, --config <file>'" },
    {
      name: '--timeout 0',
      args: ['--timeout', '0', 'MAILDIR'],
      says: 'expected whole seconds from 1 to 86400',
    },
    {
      name: '--size-limit with an unknown unit',
      args: ['--size-limit', '10Q', 'MAILDIR'],
      says: 'expected bytes, or a number with K, M or G',
    },
    {
      name: '--mode world-writable',
      args: ['--mode', '0666', 'MAILDIR'],
      says: 'is world-writable; any local user could alter delivered mail',
    },
    {
      name: '--exit-codes with an unknown dialect',
      args: ['--exit-codes', 'smtp', 'MAILDIR'],
      says: "'smtp'",
    },
    {
      name: 'a ~user maildir argument',
      args: ['~root/Maildir', 'MAILDIR'],
      says: 'only ~/ (your own home) is expanded',
    },
  ];
  for (const [index, usage] of cases.entries()) {
    it(`${usage.name}: exit 75 (not 1), 4.3.5, stderr says: ${usage.says}; nothing delivered`, async () => {
      const maildir = box.maildir(`usage-${index}`);
      const config = box.config({ targets: [{ name: 'x', path: maildir }] }, `usage-${index}.json`);
      const args = usage.args.map((arg) => (arg === 'MAILDIR' ? maildir : arg === 'CONFIG' ? config : arg));
      const result = await runCli(args, { input: MESSAGE });
      assertFailure(result, EX_TEMPFAIL, '4.3.5', usage.says);
      assertNothingDelivered([maildir]);
    });
  }

  it('running as root without --allow-root: exit 75, 4.3.5 refusing to run as root, nothing delivered', async (t) => {
    if (!asRoot) {
      t.skip('the tests do not run as root, so the CLI cannot be started as root');
      return;
    }
    const maildir = box.maildir('as-root');
    const result = await runCli([maildir], { input: MESSAGE, keepRoot: true });
    assertFailure(result, EX_TEMPFAIL, '4.3.5', 'refusing to run as root', '--allow-root');
    assertNothingDelivered([maildir]);
  });
});
