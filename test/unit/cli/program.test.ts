// The command line → Invocation: never throws, never exits; a usage error is a value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { version } from '../../../package.json';
import { parseCommandLine, type DeliverOptions, type Invocation } from '../../../src/cli/program';

const defaults: DeliverOptions = {
  maildirs: [],
  dryRun: false,
  allowRoot: false,
  copy: false,
  create: false,
  journal: true,
  quiet: false,
  exitCodes: 'sysexits',
};
const deliver = (change: Partial<DeliverOptions>): Invocation => ({
  kind: 'deliver',
  options: { ...defaults, ...change },
});

describe('parseCommandLine: deliveries', () => {
  // prettier-ignore
  const table: [string[], Invocation][] = [
    [[], deliver({})],
    [['/srv/a'], deliver({ maildirs: ['/srv/a'] })],
    [['/srv/a', 'b', '~/c'], deliver({ maildirs: ['/srv/a', 'b', '~/c'] })],
    [['--config', 't.json'], deliver({ config: 't.json' })],
    [['-c', 't.json'], deliver({ config: 't.json' })],
    [['--config=t.json'], deliver({ config: 't.json' })],
    [['--dry-run', '/a'], deliver({ dryRun: true, maildirs: ['/a'] })],
    [['-n', '/a'], deliver({ dryRun: true, maildirs: ['/a'] })],
    [['-nc', 't.json'], deliver({ dryRun: true, config: 't.json' })],
    [['--copy', '/a'], deliver({ copy: true, maildirs: ['/a'] })],
    [['--create', '/a'], deliver({ create: true, maildirs: ['/a'] })],
    [['--allow-root', '/a'], deliver({ allowRoot: true, maildirs: ['/a'] })],
    [['--mode', '0640', '/a'], deliver({ mode: 0o640, maildirs: ['/a'] })],
    [['--mode', '640', '/a'], deliver({ mode: 0o640, maildirs: ['/a'] })],
    [['--mode', '0600'], deliver({ mode: 0o600 })],
    [['--mode', '0664'], deliver({ mode: 0o664 })],
    [['--size-limit', '50M'], deliver({ sizeLimit: 52428800 })],
    [['--size-limit', '1000'], deliver({ sizeLimit: 1000 })],
    [['--timeout', '1'], deliver({ timeout: 1 })],
    [['--timeout', '86400'], deliver({ timeout: 86400 })],
    [['--state-dir', '/var/lib/mf'], deliver({ stateDir: '/var/lib/mf' })],
    [['--state-dir=state', '/a'], deliver({ stateDir: 'state', maildirs: ['/a'] })],
    [['--no-journal', '/a'], deliver({ journal: false, maildirs: ['/a'] })],
    [['--no-journal', '--state-dir', '/x'], deliver({ journal: false, stateDir: '/x' })],
    [['--exit-codes', 'qmail'], deliver({ exitCodes: 'qmail' })],
    [['--exit-codes', 'sysexits'], deliver({ exitCodes: 'sysexits' })],
    [['--trace-headers', 'auto'], deliver({ traceHeaders: 'auto' })],
    [['--trace-headers', 'always', '/a'], deliver({ traceHeaders: 'always', maildirs: ['/a'] })],
    [['--trace-headers=none'], deliver({ traceHeaders: 'none' })],
    [['--quiet', '/a'], deliver({ quiet: true, maildirs: ['/a'] })],
    [['--log', '/var/log/mf.log'], deliver({ log: '/var/log/mf.log' })],
    [['--log=mf.log', '/a'], deliver({ log: 'mf.log', maildirs: ['/a'] })],
    [['--log', 'syslog'], deliver({ log: 'syslog' })],
    [['--quiet', '--log', 'syslog', '--trace-headers', 'none'], deliver({ quiet: true, log: 'syslog', traceHeaders: 'none' })],
    [['/a', '--copy', '/b'], deliver({ copy: true, maildirs: ['/a', '/b'] })],
    [['--', '-odd-name'], deliver({ maildirs: ['-odd-name'] })],
  ];
  for (const [args, expected] of table) {
    it(args.join(' ') || '(nothing)', () => assert.deepEqual(parseCommandLine(args), expected));
  }
});

describe('parseCommandLine: usage errors', () => {
  // prettier-ignore
  const table: [string[], RegExp][] = [
    [['--mode', '0666', '/a'], /world-writable/],
    [['--mode', '0602', '/a'], /world-writable/],
    [['--mode', '0680'], /expected an octal mode/],
    [['--mode', '0o640'], /expected an octal mode/],
    [['--mode', '4640'], /expected an octal mode/],
    [['--mode', 'rw'], /expected an octal mode/],
    [['--mode'], /argument missing/],
    [['--size-limit', '50X'], /expected bytes, or a number with K, M or G/],
    [['--size-limit', '0'], /expected bytes/],
    [['--size-limit', '50m'], /expected bytes/],
    [['--size-limit', '-1'], /expected bytes|argument missing|unknown option/],
    [['--timeout', '0'], /whole seconds from 1 to 86400/],
    [['--timeout', '86401'], /whole seconds from 1 to 86400/],
    [['--timeout', '99999'], /whole seconds from 1 to 86400/],
    [['--timeout', '1.5'], /whole seconds/],
    [['--timeout', '010'], /whole seconds/],
    [['--timeout', '1e3'], /whole seconds/],
    [['--exit-codes', 'postfix'], /Allowed choices are sysexits, qmail/],
    [['--exit-codes'], /argument missing/],
    [['--config'], /argument missing/],
    [['--state-dir'], /argument missing/],
    [['--state-dir', ''], /expected a path/],
    [['--trace-headers', 'qmail'], /Allowed choices are auto, always, none/],
    [['--trace-headers', ''], /Allowed choices are auto, always, none/],
    [['--trace-headers'], /argument missing/],
    [['--log', ''], /expected a path/],
    [['--log=', '/a'], /expected a path/],
    [['--log'], /argument missing/],
    [['--quiet=yes'], /does not take an argument|unknown option/],
    [['--journal'], /unknown option '--journal'/],
    [['--bogus'], /unknown option '--bogus'/],
    [['-x', '/a'], /unknown option '-x'/],
  ];
  for (const [args, pattern] of table) {
    it(`${args.join(' ')} → usage-error ${String(pattern)}`, () => {
      const invocation = parseCommandLine(args);
      assert.equal(invocation.kind, 'usage-error');
      assert.match(invocation.text, pattern);
    });
  }

  it('usage errors are one line of our own, without a parser prefix ("error: ")', () => {
    const invocation = parseCommandLine(['--bogus']);
    assert.ok(invocation.kind === 'usage-error' && !invocation.text.startsWith('error:'));
  });

  it('never throws, whatever the arguments', () => {
    const odd = [
      ['--'],
      ['-'],
      [''],
      ['--mode=', '/a'],
      ['-n', '-n'],
      ['--help', '--bogus'],
      ['\0'],
      ['--no-copy'],
    ];
    for (const args of odd) assert.doesNotThrow(() => parseCommandLine(args), args.join(' '));
  });

  it('is pure: one call does not affect the next', () => {
    assert.equal(parseCommandLine(['--bogus']).kind, 'usage-error');
    assert.deepEqual(parseCommandLine(['/a']), deliver({ maildirs: ['/a'] }));
  });
});

describe('parseCommandLine: help and version', () => {
  for (const flag of ['--help', '-h']) {
    it(`${flag} → print the help, with the exit status table`, () => {
      const invocation = parseCommandLine([flag]);
      assert.equal(invocation.kind, 'print');
      const text = invocation.text;
      assert.match(text, /^Usage: maildir-fanout /);
      assert.match(text, /--config <file>/);
      assert.match(text, /75 temporary failure/);
      assert.match(text, /--state-dir <dir> +folder of the exactly-once journal/);
      assert.match(text, /--no-journal +no exactly-once journal/);
      assert.match(text, /--trace-headers <mode>/);
      assert.match(text, /--quiet +never print a diagnostic/);
      assert.match(text, /--log <file> +append one line per delivery/);
    });
  }

  for (const flag of ['--version', '-V']) {
    it(`${flag} → print the version`, () => {
      assert.deepEqual(parseCommandLine([flag]), { kind: 'print', text: `${version}\n` });
    });
  }
});
