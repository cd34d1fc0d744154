// targets.json → Config: every validation message, one line per case, and the defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../src/config/parse';
import type { Config, Target } from '../../../src/config/types';
import { compileRule } from '../../../src/route/compile';
import type { UnmatchedPolicy } from '../../../src/route/rule';
import { DEFAULT_THRESHOLDS } from '../../../src/check/thresholds';

const JOURNAL = { enabled: true, dir: undefined, keepDays: 8 };
/** The defaults of the MTA settings: trace headers "auto", not quiet, no log. */
const MTA = {
  traceHeaders: 'auto',
  quiet: false,
  log: undefined,
  unmatched: { kind: 'reject' },
  check: DEFAULT_THRESHOLDS,
} as const;

const CONFIG = '/etc/mf/targets.json';
const HOME = '/home/bb';
const t = (targets: unknown[], rest: Record<string, unknown> = {}): string =>
  JSON.stringify({ targets, ...rest });
const a = { name: 'a', path: '/srv/a' };
const b = { name: 'b', path: '/srv/b' };

/** The problem reported for `text` (no default for `home`: undefined is a case). */
function problemOf(text: string, home: string | undefined): string {
  const parsed = parseConfig(text, CONFIG, home);
  if (parsed.ok) return assert.fail(`parsed: ${JSON.stringify(parsed.config)}`);
  return parsed.problem;
}

function configOf(text: string, home: string | undefined): Config {
  const parsed = parseConfig(text, CONFIG, home);
  if (!parsed.ok) return assert.fail(parsed.problem);
  return parsed.config;
}

describe('parseConfig: problems', () => {
  // prettier-ignore
  const table: [string, string, string | RegExp][] = [
    ['not JSON, with line and column', '{"targets": [],}', /^not valid JSON: .*position 15 \(line 1, column 16\)$/],
    ['not JSON, line and column on a later line', '{\n  "targets": [\n    {"name": "a" "path": "/m"}\n  ]\n}', /\(line 3, column 18\)$/],
    ['not JSON: empty file', '', /^not valid JSON: /],
    // V8 in Node 20 gives no position for "Unexpected token" errors: the message is passed on as is.
    ['not JSON, no position given', '{"targets": [}', /^not valid JSON: Unexpected token '\}'.*is not valid JSON$/],
    ['top level an array', '[]', 'top level: must be an object'],
    ['top level null', 'null', 'top level: must be an object'],
    ['top level a string', '"x"', 'top level: must be an object'],
    ['targets missing', '{}', 'targets: required'],
    ['targets not an array', '{"targets": {}}', 'targets: must be an array'],
    ['targets empty', '{"targets": []}', 'targets: must not be empty'],
    ['targets over 256', t(Array.from({ length: 257 }, (_, i) => ({ name: `n${i}`, path: `/m${i}` }))), 'targets: must have at most 256 entries'],
    ['a target not an object', t(['/srv/a']), 'targets[0]: must be an object'],
    ['targets[1].path required', t([a, { name: 'b' }]), 'targets[1].path: required'],
    ['targets[0].name required', t([{ path: '/srv/a' }]), 'targets[0].name: required'],
    ['more problems are counted (1)', t([{}]), 'targets[0].name: required (and 1 more problem)'],
    ['more problems are counted (2)', t([{}], { timeout: 0 }), 'targets[0].name: required (and 2 more problems)'],
    ['name with a space', t([{ name: 'a b', path: '/a' }]), 'targets[0].name: must be letters, digits and . _ @ + - only, starting with a letter or digit'],
    ['name with a slash', t([{ name: 'a/b', path: '/a' }]), /^targets\[0\]\.name: must be letters, digits/],
    ['name starting with a dot', t([{ name: '.a', path: '/a' }]), /^targets\[0\]\.name: must be letters, digits/],
    ['name empty', t([{ name: '', path: '/a' }]), 'targets[0].name: must not be empty'],
    ['name of 65 characters', t([{ name: 'x'.repeat(65), path: '/a' }]), 'targets[0].name: must be at most 64 characters'],
    ['name not a string', t([{ name: 1, path: '/a' }]), 'targets[0].name: must be a string'],
    ['path empty', t([{ name: 'a', path: '' }]), 'targets[0].path: must not be empty'],
    ['path with a line break', t([{ name: 'a', path: '/a\nb' }]), 'targets[0].path: must be a path without NUL or line breaks'],
    ['path with NUL', t([{ name: 'a', path: '/a\u0000b' }]), 'targets[0].path: must be a path without NUL or line breaks'],
    ['unknown key at top level', t([a], { colour: 'red' }), 'colour: unknown key (known: $schema, targets, sizeLimit, timeout, hardLinks, journal, traceHeaders, quiet, log, unmatched, check)'],
    ['unknown key in a target', t([a, { ...b, colour: 'red' }]), 'targets[1].colour: unknown key (known: name, path, mode, create, match, check)'],
    ['unknown key with odd characters', t([a], { 'size limit': 1 }), /^\["size limit"\]: unknown key/],
    ['unknown key "__proto__"', '{"targets": [{"name": "a", "path": "/a"}], "__proto__": {}}', /^__proto__: unknown key/],
    ['duplicate names', t([a, { name: 'a', path: '/srv/other' }]), 'targets[1].name: "a" is already the name of targets[0]'],
    ['duplicate paths', t([a, { name: 'b', path: '/srv/a' }]), 'targets[1].path: same maildir as targets[0]'],
    ['duplicate resolved paths: trailing slash', t([a, { name: 'b', path: '/srv/a/' }]), 'targets[1].path: same maildir as targets[0]'],
    ['duplicate resolved paths: dot segments', t([a, b, { name: 'c', path: '/srv/x/../a' }]), 'targets[2].path: same maildir as targets[0]'],
    ['duplicate resolved paths: relative', t([{ name: 'a', path: '/etc/mf/M' }, { name: 'b', path: 'M' }]), 'targets[1].path: same maildir as targets[0]'],
    ['duplicate resolved paths: ~/', t([{ name: 'a', path: '/home/bb/M' }, { name: 'b', path: '~/M' }]), 'targets[1].path: same maildir as targets[0]'],
    ['mode not octal', t([{ ...a, mode: '0680' }]), 'targets[0].mode: must be an octal file mode such as "0600" or "0640"'],
    ['mode with 0o prefix', t([{ ...a, mode: '0o640' }]), /^targets\[0\]\.mode: must be an octal file mode/],
    ['mode with setuid bits', t([{ ...a, mode: '4640' }]), /^targets\[0\]\.mode: must be an octal file mode/],
    ['mode a number', t([{ ...a, mode: 640 }]), 'targets[0].mode: must be a string'],
    ['mode world-writable 0666', t([{ ...a, mode: '0666' }]), 'targets[0].mode: "0666" is world-writable; any local user could alter delivered mail'],
    ['mode world-writable 602', t([{ ...a, mode: '602' }]), /^targets\[0\]\.mode: "602" is world-writable/],
    ['create not a boolean', t([{ ...a, create: 'yes' }]), 'targets[0].create: must be true or false'],
    ['sizeLimit 0', t([a], { sizeLimit: 0 }), 'sizeLimit: must be a positive number of bytes, or a string such as "50M"'],
    ['sizeLimit "0"', t([a], { sizeLimit: '0' }), /^sizeLimit: must be a positive number/],
    ['sizeLimit negative', t([a], { sizeLimit: -1 }), /^sizeLimit: must be a positive number/],
    ['sizeLimit fractional', t([a], { sizeLimit: 1.5 }), /^sizeLimit: must be a positive number/],
    ['sizeLimit lower-case unit', t([a], { sizeLimit: '50m' }), /^sizeLimit: must be a positive number/],
    ['sizeLimit with a space', t([a], { sizeLimit: '50 M' }), /^sizeLimit: must be a positive number/],
    ['sizeLimit 2^53', t([a], { sizeLimit: 2 ** 53 }), 'sizeLimit: must be a positive number of bytes below 2^53'],
    ['timeout 0', t([a], { timeout: 0 }), 'timeout: must be at least 1'],
    ['timeout 86401', t([a], { timeout: 86401 }), 'timeout: must be at most 86400'],
    ['timeout fractional', t([a], { timeout: 1.5 }), 'timeout: must be a whole number'],
    ['timeout a string', t([a], { timeout: '900' }), 'timeout: must be a whole number'],
    ['hardLinks not a boolean', t([a], { hardLinks: 'no' }), 'hardLinks: must be true or false'],
    ['~user refused', t([{ name: 'a', path: '~bob/Maildir' }]), 'targets[0].path: "~bob/Maildir": only ~/ (your own home) is expanded, not ~user'],
    ['journal not an object', t([a], { journal: true }), 'journal: must be an object'],
    ['journal an array', t([a], { journal: [] }), 'journal: must be an object'],
    ['journal null', t([a], { journal: null }), 'journal: must be an object'],
    ['unknown key inside journal', t([a], { journal: { keep: 8 } }), 'journal.keep: unknown key (known: enabled, dir, keepDays)'],
    ['journal.enabled not a boolean', t([a], { journal: { enabled: 'no' } }), 'journal.enabled: must be true or false'],
    ['journal.keepDays 0', t([a], { journal: { keepDays: 0 } }), 'journal.keepDays: must be at least 1'],
    ['journal.keepDays 367', t([a], { journal: { keepDays: 367 } }), 'journal.keepDays: must be at most 366'],
    ['journal.keepDays fractional', t([a], { journal: { keepDays: 1.5 } }), 'journal.keepDays: must be a whole number'],
    ['journal.keepDays a string', t([a], { journal: { keepDays: '8' } }), 'journal.keepDays: must be a whole number'],
    ['journal.dir empty', t([a], { journal: { dir: '' } }), 'journal.dir: must not be empty'],
    ['journal.dir with a line break', t([a], { journal: { dir: '/var/x\ny' } }), 'journal.dir: must be a path without NUL or line breaks'],
    ['journal.dir with NUL', t([a], { journal: { dir: '/var/x\u0000y' } }), 'journal.dir: must be a path without NUL or line breaks'],
    ['journal.dir not a string', t([a], { journal: { dir: 1 } }), 'journal.dir: must be a string'],
    ['journal.dir ~user refused', t([a], { journal: { dir: '~bob/state' } }), 'journal.dir: "~bob/state": only ~/ (your own home) is expanded, not ~user'],
    ['traceHeaders not one of the modes', t([a], { traceHeaders: 'qmail' }), 'traceHeaders: must be one of "auto", "always", "none"'],
    ['traceHeaders in capitals', t([a], { traceHeaders: 'AUTO' }), 'traceHeaders: must be one of "auto", "always", "none"'],
    ['traceHeaders true', t([a], { traceHeaders: true }), 'traceHeaders: must be one of "auto", "always", "none"'],
    ['quiet not a boolean', t([a], { quiet: 'yes' }), 'quiet: must be true or false'],
    ['quiet 1', t([a], { quiet: 1 }), 'quiet: must be true or false'],
    ['log empty', t([a], { log: '' }), 'log: must not be empty'],
    ['log with a line break', t([a], { log: '/var/log/x\ny' }), 'log: must be a path, or "syslog"'],
    ['log with NUL', t([a], { log: '/var/log/x\u0000y' }), 'log: must be a path, or "syslog"'],
    ['log not a string', t([a], { log: true }), 'log: must be a string'],
    ['log ~user refused', t([a], { log: '~bob/mf.log' }), 'log: "~bob/mf.log": only ~/ (your own home) is expanded, not ~user'],
  ];
  for (const [title, text, expected] of table) {
    it(title, () => {
      if (typeof expected === 'string') assert.equal(problemOf(text, HOME), expected);
      else assert.match(problemOf(text, HOME), expected);
    });
  }

  it('~/ without HOME', () => {
    assert.equal(
      problemOf(t([{ name: 'a', path: '~/Maildir' }]), undefined),
      'targets[0].path: "~/Maildir" starts with ~/ but $HOME is not set to an absolute path',
    );
  });

  it('journal.dir with ~/ but without HOME', () => {
    assert.equal(
      problemOf(t([a], { journal: { dir: '~/state' } }), undefined),
      'journal.dir: "~/state" starts with ~/ but $HOME is not set to an absolute path',
    );
  });

  it('log with ~/ but without HOME', () => {
    assert.equal(
      problemOf(t([a], { log: '~/mf.log' }), undefined),
      'log: "~/mf.log" starts with ~/ but $HOME is not set to an absolute path',
    );
  });

  it('~/ with a relative HOME is refused too', () => {
    assert.match(
      problemOf(t([{ name: 'a', path: '~/M' }]), 'home/bb'),
      /\$HOME is not set to an absolute path/,
    );
  });
});

describe('parseConfig: values', () => {
  const target = (change: Partial<Target>): Target => ({
    name: 'a',
    path: '/srv/a',
    mode: 0o600,
    create: false,
    ...change,
  });
  // prettier-ignore
  const table: [string, string, Partial<Target>][] = [
    ['absolute path kept', t([a]), {}],
    ['path normalised', t([{ name: 'a', path: '/srv//a/./' }]), {}],
    ['relative path against the config folder', t([{ name: 'a', path: 'Maildir' }]), { path: '/etc/mf/Maildir' }],
    ['relative path with ..', t([{ name: 'a', path: '../mail/M' }]), { path: '/etc/mail/M' }],
    ['~/ against HOME', t([{ name: 'a', path: '~/Maildir' }]), { path: '/home/bb/Maildir' }],
    ['~ alone is HOME', t([{ name: 'a', path: '~' }]), { path: '/home/bb' }],
    ['mode "0640"', t([{ ...a, mode: '0640' }]), { mode: 0o640 }],
    ['mode "640"', t([{ ...a, mode: '640' }]), { mode: 0o640 }],
    ['mode "0660" (group-writable is allowed)', t([{ ...a, mode: '0660' }]), { mode: 0o660 }],
    ['create true', t([{ ...a, create: true }]), { create: true }],
    ['name with . _ @ + -', t([{ ...a, name: 'bb.linux_1@x+y-z' }]), { name: 'bb.linux_1@x+y-z' }],
  ];
  for (const [title, text, change] of table) {
    it(title, () => assert.deepEqual(configOf(text, HOME).targets, [target(change)]));
  }

  it('defaults: sizeLimit 512 MiB, timeout 900, hardLinks true, journal on for 8 days in the default folder, trace headers auto, not quiet, no log, mode 0600, create false', () => {
    assert.deepEqual(configOf(t([a]), HOME), {
      targets: [{ name: 'a', path: '/srv/a', mode: 0o600, create: false }],
      settings: {
        sizeLimit: 512 * 1024 * 1024,
        timeoutSeconds: 900,
        hardLinks: true,
        journal: JOURNAL,
        ...MTA,
      },
    });
  });

  // prettier-ignore
  const settings: [string, Record<string, unknown>, Config['settings']][] = [
    ['sizeLimit "50M"', { sizeLimit: '50M' }, { sizeLimit: 52428800, timeoutSeconds: 900, hardLinks: true, journal: JOURNAL, ...MTA }],
    ['sizeLimit "1K"', { sizeLimit: '1K' }, { sizeLimit: 1024, timeoutSeconds: 900, hardLinks: true, journal: JOURNAL, ...MTA }],
    ['sizeLimit "2G"', { sizeLimit: '2G' }, { sizeLimit: 2 * 1024 ** 3, timeoutSeconds: 900, hardLinks: true, journal: JOURNAL, ...MTA }],
    ['sizeLimit 1000', { sizeLimit: 1000 }, { sizeLimit: 1000, timeoutSeconds: 900, hardLinks: true, journal: JOURNAL, ...MTA }],
    ['timeout 1', { timeout: 1 }, { sizeLimit: 512 * 1024 ** 2, timeoutSeconds: 1, hardLinks: true, journal: JOURNAL, ...MTA }],
    ['timeout 86400', { timeout: 86400 }, { sizeLimit: 512 * 1024 ** 2, timeoutSeconds: 86400, hardLinks: true, journal: JOURNAL, ...MTA }],
    ['hardLinks false', { hardLinks: false }, { sizeLimit: 512 * 1024 ** 2, timeoutSeconds: 900, hardLinks: false, journal: JOURNAL, ...MTA }],
    ['$schema ignored', { $schema: './targets.schema.json' }, { sizeLimit: 512 * 1024 ** 2, timeoutSeconds: 900, hardLinks: true, journal: JOURNAL, ...MTA }],
  ];
  for (const [title, rest, expected] of settings) {
    it(title, () => assert.deepEqual(configOf(t([a], rest), HOME).settings, expected));
  }

  // prettier-ignore
  const journals: [string, unknown, Config['settings']['journal']][] = [
    ['journal {}: the defaults', {}, JOURNAL],
    ['journal.enabled false', { enabled: false }, { ...JOURNAL, enabled: false }],
    ['journal.keepDays 1 (the lowest)', { keepDays: 1 }, { ...JOURNAL, keepDays: 1 }],
    ['journal.keepDays 366 (the highest)', { keepDays: 366 }, { ...JOURNAL, keepDays: 366 }],
    ['journal.dir absolute, normalised', { dir: '/var//lib/mf/./' }, { ...JOURNAL, dir: '/var/lib/mf' }],
    ['journal.dir relative: against the config folder', { dir: 'state' }, { ...JOURNAL, dir: '/etc/mf/state' }],
    ['journal.dir relative with ..', { dir: '../../var/mf' }, { ...JOURNAL, dir: '/var/mf' }],
    ['journal.dir ~/: against HOME', { dir: '~/.state/mf' }, { ...JOURNAL, dir: '/home/bb/.state/mf' }],
    ['journal.dir ~ alone is HOME', { dir: '~' }, { ...JOURNAL, dir: '/home/bb' }],
    ['journal with every key', { enabled: true, dir: '/srv/mf', keepDays: 30 }, { enabled: true, dir: '/srv/mf', keepDays: 30 }],
  ];
  for (const [title, journal, expected] of journals) {
    it(title, () => assert.deepEqual(configOf(t([a], { journal }), HOME).settings.journal, expected));
  }

  // prettier-ignore
  const mta: [string, Record<string, unknown>, Partial<Config['settings']>][] = [
    ['traceHeaders "auto"', { traceHeaders: 'auto' }, { traceHeaders: 'auto' }],
    ['traceHeaders "always"', { traceHeaders: 'always' }, { traceHeaders: 'always' }],
    ['traceHeaders "none"', { traceHeaders: 'none' }, { traceHeaders: 'none' }],
    ['quiet true', { quiet: true }, { quiet: true }],
    ['quiet false', { quiet: false }, { quiet: false }],
    ['log absolute, normalised', { log: '/var//log/./mf.log' }, { log: '/var/log/mf.log' }],
    ['log relative: against the config folder', { log: 'mf.log' }, { log: '/etc/mf/mf.log' }],
    ['log relative with ..', { log: '../../var/log/mf.log' }, { log: '/var/log/mf.log' }],
    ['log ~/: against HOME', { log: '~/log/mf.log' }, { log: '/home/bb/log/mf.log' }],
    ['log "syslog": syslog, not a file named syslog', { log: 'syslog' }, { log: 'syslog' }],
    ['log "./syslog": a file named syslog in the config folder', { log: './syslog' }, { log: '/etc/mf/syslog' }],
    ['every MTA key', { traceHeaders: 'none', quiet: true, log: 'syslog' }, { traceHeaders: 'none', quiet: true, log: 'syslog' }],
  ];
  for (const [title, rest, change] of mta) {
    it(title, () =>
      assert.deepEqual(configOf(t([a], rest), HOME).settings, {
        sizeLimit: 512 * 1024 ** 2,
        timeoutSeconds: 900,
        hardLinks: true,
        journal: JOURNAL,
        ...MTA,
        ...change,
      }),
    );
  }

  it('does not need HOME for a log without ~', () => {
    assert.equal(configOf(t([a], { log: 'mf.log' }), undefined).settings.log, '/etc/mf/mf.log');
  });

  it('does not need HOME for a journal.dir without ~', () => {
    assert.equal(
      configOf(t([a], { journal: { dir: 'state' } }), undefined).settings.journal.dir,
      '/etc/mf/state',
    );
  });

  it('keeps the targets in file order', () => {
    assert.deepEqual(
      configOf(t([b, a]), HOME).targets.map((target) => target.name),
      ['b', 'a'],
    );
  });

  it('does not need HOME when no path starts with ~', () => {
    assert.equal(configOf(t([a]), undefined).targets[0]?.path, '/srv/a');
  });
});

// Routing (README, "Routing"): `match` compiled onto its target, `unmatched` read into a policy;
// what the JSON Schema refuses and what compile.ts refuses, each with its JSON path.
describe('parseConfig: match and unmatched', () => {
  const MATCH = {
    any: [
      { header: 'List-Id', contains: '<gstreamer-commits.' },
      { address: 'From', glob: '*@kernel.org' },
    ],
  };
  const KNOWN_RULE_KEYS =
    'header, address, equals, contains, glob, regex, exists, caseSensitive, any, all, not';
  const UNMATCHED = 'unmatched: must be "reject", "defer", "discard" or {"deliverTo": [target names]}';
  const withMatch = (match: unknown, rest: Record<string, unknown> = {}): string =>
    t([a, { ...b, match }], rest);

  it('match is compiled onto its target, with the JSON path of the target', () => {
    const targets = configOf(withMatch(MATCH), HOME).targets;
    const compiled = compileRule(MATCH, ['targets', 1, 'match']);
    assert.ok(compiled.ok);
    const { match, ...rest } = targets[1]!;
    assert.deepEqual(rest, { name: 'b', path: '/srv/b', mode: 0o600, create: false });
    // Glob matchers are closures: compare the rules' shapes and texts, not function identity.
    assert.equal(JSON.stringify(match), JSON.stringify(compiled.rule));
    assert.equal(match?.at, 'targets[1].match');
  });

  it('a target without match has no match key', () => {
    assert.ok(!Object.hasOwn(configOf(withMatch(MATCH), HOME).targets[0]!, 'match'));
  });

  // prettier-ignore
  const policies: [string, unknown, UnmatchedPolicy][] = [
    ['"reject"', 'reject', { kind: 'reject' }],
    ['"defer"', 'defer', { kind: 'defer' }],
    ['"discard" (parsed without a log: the runner asks for one)', 'discard', { kind: 'discard' }],
    ['deliverTo one target', { deliverTo: ['b'] }, { kind: 'deliverTo', targets: ['b'] }],
    ['deliverTo two targets, in the order given', { deliverTo: ['b', 'a'] }, { kind: 'deliverTo', targets: ['b', 'a'] }],
  ];
  for (const [title, unmatched, policy] of policies) {
    it(`unmatched ${title}`, () =>
      assert.deepEqual(configOf(withMatch(MATCH, { unmatched }), HOME).settings.unmatched, policy));
  }

  it('unmatched absent: reject', () => {
    assert.deepEqual(configOf(withMatch(MATCH), HOME).settings.unmatched, { kind: 'reject' });
  });

  // prettier-ignore
  const problems: [string, string, string | RegExp][] = [
    ['deliverTo an unknown target', withMatch(MATCH, { unmatched: { deliverTo: ['x'] } }), 'unmatched.deliverTo[0]: no target is named "x"'],
    ['deliverTo: the second name unknown', withMatch(MATCH, { unmatched: { deliverTo: ['a', 'bb'] } }), 'unmatched.deliverTo[1]: no target is named "bb"'],
    ['deliverTo: names are compared exactly', withMatch(MATCH, { unmatched: { deliverTo: ['A'] } }), 'unmatched.deliverTo[0]: no target is named "A"'],
    ['unmatched an unknown word', withMatch(MATCH, { unmatched: 'bounce' }), UNMATCHED],
    ['unmatched in capitals', withMatch(MATCH, { unmatched: 'REJECT' }), UNMATCHED],
    ['unmatched a number', withMatch(MATCH, { unmatched: 5 }), UNMATCHED],
    ['unmatched deliverTo empty', withMatch(MATCH, { unmatched: { deliverTo: [] } }), UNMATCHED],
    ['unmatched deliverTo a string', withMatch(MATCH, { unmatched: { deliverTo: 'a' } }), UNMATCHED],
    ['unmatched deliverTo with another key', withMatch(MATCH, { unmatched: { deliverTo: ['a'], also: 1 } }), UNMATCHED],
    ['unmatched an object without deliverTo', withMatch(MATCH, { unmatched: {} }), UNMATCHED],
    ['match: an unknown key', withMatch({ header: 'Subject', equals: 'x', colour: 'red' }), `targets[1].match.colour: unknown key (known: ${KNOWN_RULE_KEYS})`],
    ['match: a misspelt comparison, nested', withMatch({ any: [{ header: 'Subject', equlas: 'x' }] }), `targets[1].match.any[0].equlas: unknown key (known: ${KNOWN_RULE_KEYS})`],
    ['match: an unknown key under not', withMatch({ not: { header: 'Subject', exists: true, why: 'x' } }), /^targets\[1\]\.match\.not\.why: unknown key/],
    ['match a string', withMatch('Subject'), 'targets[1].match: must be an object'],
    ['match null', withMatch(null), 'targets[1].match: must be an object'],
    ['match an array', withMatch([]), 'targets[1].match: must be an object'],
    ['header not a string', withMatch({ header: 1, equals: 'x' }), 'targets[1].match.header: must be a string'],
    ['header empty', withMatch({ header: '', equals: 'x' }), 'targets[1].match.header: must not be empty'],
    ['header of 201 characters', withMatch({ header: 'X'.repeat(201), exists: true }), 'targets[1].match.header: must be at most 200 characters'],
    ['equals empty', withMatch({ header: 'Subject', equals: '' }), 'targets[1].match.equals: must not be empty'],
    ['regex of 4097 characters', withMatch({ header: 'Subject', regex: 'a'.repeat(4097) }), 'targets[1].match.regex: must be at most 4096 characters'],
    ['exists a string', withMatch({ header: 'Subject', exists: 'yes' }), 'targets[1].match.exists: must be true or false'],
    ['caseSensitive a string', withMatch({ header: 'Subject', equals: 'x', caseSensitive: 'no' }), 'targets[1].match.caseSensitive: must be true or false'],
    ['any an object', withMatch({ any: {} }), 'targets[1].match.any: must be an array'],
    ['any empty', withMatch({ any: [] }), 'targets[1].match.any: must not be empty'],
    ['all with a string in it', withMatch({ all: ['Subject'] }), 'targets[1].match.all[0]: must be an object'],
    ['not an array', withMatch({ not: [] }), 'targets[1].match.not: must be an object'],
    ['compile: no comparison', withMatch({ header: 'Subject' }), 'targets[1].match: a test needs one of "equals", "contains", "glob", "regex" or "exists"'],
    ['compile: an invalid regex, nested', withMatch({ any: [{ header: 'A', exists: true }, { all: [{ header: 'B', regex: '(' }] }] }), 'targets[1].match.any[1].all[0].regex: invalid regular expression: Unterminated group'],
    ['compile: a header name with a colon', withMatch({ header: 'Subject:', equals: 'x' }), 'targets[1].match.header: a header name is printable ASCII without spaces or a colon, e.g. "Subject"'],
    ['compile: an invalid glob', withMatch({ address: 'From', glob: '[a-' }), 'targets[1].match.glob: invalid glob: [ at character 1 has no closing ]'],
  ];
  for (const [title, text, expected] of problems) {
    it(title, () => {
      if (typeof expected === 'string') assert.equal(problemOf(text, HOME), expected);
      else assert.match(problemOf(text, HOME), expected);
    });
  }

  // Found while writing these tests: the JSON Schema validator follows the rule's "$ref" as deep
  // as the JSON goes, before compile.ts counts levels, so a rule nested a few thousand levels
  // deep throws RangeError (Maximum call stack size exceeded) out of parseConfig; the CLI then
  // says "4.3.0 internal error" instead of naming the rule (README: errors name their JSON path).
  it('regression: a rule nested 5000 levels deep is a problem with its path, not a stack overflow', () => {
    const depth = 5000;
    const match = `${'{"not":'.repeat(depth)}{"header":"A","exists":true}${'}'.repeat(depth)}`;
    const text = `{"targets": [{"name": "a", "path": "/srv/a", "match": ${match}}]}`;
    let problem: string | undefined;
    assert.doesNotThrow(() => {
      const parsed = parseConfig(text, CONFIG, HOME);
      problem = parsed.ok ? 'parsed' : parsed.problem;
    });
    // The schema check stops at 64 path levels, before the rule compiler's 16 rule levels.
    assert.match(String(problem), /^targets\[0\]\.match(\.not)*: .*\b(16|64)\b/);
  });
});
