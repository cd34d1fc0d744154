// One delivery, one log line of key=value fields; nothing from the message or the environment
// can break it into two.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logLine, type LogFacts } from '../../../src/log/line';
import { ok, permanent, temporary } from '../../../src/outcome/outcome';

const SHA = 'a'.repeat(64);
const facts = (change: Partial<LogFacts> = {}): LogFacts => ({
  time: new Date(Date.UTC(2026, 10, 28, 14, 0, 0, 123)),
  pid: 4242,
  mta: 'qmail',
  outcome: ok,
  messageId: '<1@example.org>',
  digest: SHA,
  bytes: 1234,
  delivered: ['a', 'b'],
  skipped: [],
  milliseconds: 12.4,
  ...change,
});
const PREFIX = '2026-11-28T14:00:00.123Z maildir-fanout[4242]:';

describe('logLine: fields', () => {
  // prettier-ignore
  const table: [string, Partial<LogFacts>, string][] = [
    ['delivered: time, pid, status, msgid, sha256, size, to, ms, mta', {}, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=1234 to=a,b ms=12 mta=qmail`],
    ['deferred: code and text', { outcome: temporary('4.2.1', 'target b: maildir /b does not exist'), delivered: [] }, `${PREFIX} status=deferred code=4.2.1 msgid=<1@example.org> sha256=${SHA} size=1234 to=- ms=12 mta=qmail text="target b: maildir /b does not exist"`],
    ['bounced: code and text', { outcome: permanent('5.4.6', 'looping'), delivered: [] }, `${PREFIX} status=bounced code=5.4.6 msgid=<1@example.org> sha256=${SHA} size=1234 to=- ms=12 mta=qmail text=looping`],
    ['no Message-ID: no msgid field', { messageId: undefined }, `${PREFIX} status=delivered sha256=${SHA} size=1234 to=a,b ms=12 mta=qmail`],
    ['message not read: no sha256, no size', { digest: undefined, bytes: undefined, messageId: undefined, outcome: temporary('4.2.1', 'x'), delivered: [] }, `${PREFIX} status=deferred code=4.2.1 to=- ms=12 mta=qmail text=x`],
    ['already delivered on an earlier attempt: already=', { delivered: [], skipped: ['a', 'b'] }, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=1234 to=- already=a,b ms=12 mta=qmail`],
    ['some delivered, some already', { delivered: ['c'], skipped: ['a', 'b'] }, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=1234 to=c already=a,b ms=12 mta=qmail`],
    ['ms rounded', { milliseconds: 12.5 }, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=1234 to=a,b ms=13 mta=qmail`],
    ['size 0', { bytes: 0 }, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=0 to=a,b ms=12 mta=qmail`],
    ['by hand: mta=unknown', { mta: 'unknown' }, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=1234 to=a,b ms=12 mta=unknown`],
  ];
  for (const [title, change, expected] of table) {
    it(title, () => assert.equal(logLine(facts(change)), `${expected}\n`));
  }
});

describe('logLine: quoting', () => {
  // prettier-ignore
  const table: [string, string, string][] = [
    ['printable without space: as is', '<1@example.org>', 'msgid=<1@example.org>'],
    ['a space: quoted', '<a b@x>', 'msgid="<a b@x>"'],
    ['a double quote: quoted and escaped', '<a"b@x>', 'msgid="<a\\"b@x>"'],
    ['a backslash with a space: escaped', '<a\\ b@x>', 'msgid="<a\\\\ b@x>"'],
    ['empty: ""', '', 'msgid=""'],
    ['non-ASCII: quoted', '<café@x>', 'msgid="<café@x>"'],
    ['CR: _', '<a\rb@x>', 'msgid=<a_b@x>'],
    ['NUL: _', '<a\u0000b@x>', 'msgid=<a_b@x>'],
    ['CR and a space: _ and quoted', '<a\r b@x>', 'msgid="<a_ b@x>"'],
    ['a fake field stays inside the quotes', '<1@x> status=bounced', 'msgid="<1@x> status=bounced"'],
  ];
  for (const [title, messageId, field] of table) {
    it(title, () => {
      const line = logLine(facts({ messageId }));
      assert.ok(line.includes(` ${field} `), line);
    });
  }

  it('the Message-ID is cut to 200 characters', () => {
    const line = logLine(facts({ messageId: `<${'a'.repeat(500)}@x>` }));
    assert.ok(line.includes(` msgid=<${'a'.repeat(199)} `), line);
  });

  it('the failure text is cut to 900 characters', () => {
    const line = logLine(facts({ outcome: temporary('4.3.0', 'x'.repeat(2000)) }));
    assert.ok(line.endsWith(` text=${'x'.repeat(900)}\n`), line.slice(-20));
  });
});

describe('logLine: target names', () => {
  // Maildir arguments are their own target names (cli/run.ts), and a path may hold a space:
  // unquoted, "to=/srv/my mail/M" reads as the field to=/srv/my and a stray word.
  it('regression: a target name with a space is quoted, as msgid and text are', () => {
    const line = logLine(facts({ delivered: ['/srv/my mail/M', '/srv/b'] }));
    assert.ok(line.includes(' to="/srv/my mail/M,/srv/b" '), line);
  });

  // A maildir argument (a path: anything but NUL) with a line feed in it.
  // prettier-ignore
  const names: [string, Partial<LogFacts>][] = [
    ['delivered', { delivered: ['/srv/a\nstatus=bounced'] }],
    ['already delivered', { skipped: ['/srv/a\r\nb'] }],
  ];
  for (const [title, change] of names) {
    it(`regression: a target name with CR/LF (${title}) cannot make a second line`, () => {
      const line = logLine(facts(change));
      assert.equal(line.indexOf('\n'), line.length - 1, JSON.stringify(line));
      assert.doesNotMatch(line.slice(0, -1), /[\u0000-\u001f\u007f]/, JSON.stringify(line));
    });
  }
});

describe('logLine: one line, whatever the input', () => {
  // prettier-ignore
  const hostile: [string, Partial<LogFacts>][] = [
    ['a Message-ID with CR/LF and a forged line', { messageId: '<a@x>\r\n2026-11-28T14:00:00.000Z maildir-fanout[1]: status=delivered' }],
    ['a Message-ID with only LF', { messageId: '<a@x>\nstatus=bounced' }],
    ['a Message-ID with every control character', { messageId: String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i), 127) }],
    ['a failure text with CR/LF (a path with a newline)', { outcome: temporary('4.2.1', 'maildir /a\nstatus=delivered\r\n') }],
  ];
  for (const [title, change] of hostile) {
    it(`${title}: exactly one line, no CR, no control character`, () => {
      const line = logLine(facts(change));
      assert.equal(line.indexOf('\n'), line.length - 1, JSON.stringify(line));
      assert.doesNotMatch(line.slice(0, -1), /[\u0000-\u001f\u007f]/, JSON.stringify(line));
    });
  }
});

// `"unmatched": "discard"` (README, "Routing"): the message is thrown away on purpose, and the
// log line is its only trace.
describe('logLine: discarded', () => {
  const TEXT = `text="no target's match rule accepts this message (unmatched: discard)"`;

  // prettier-ignore
  const table: [string, Partial<LogFacts>, string][] = [
    ['discarded: status=discarded, nothing delivered, and why', { discarded: true, delivered: [] }, `${PREFIX} status=discarded msgid=<1@example.org> sha256=${SHA} size=1234 to=- ms=12 mta=qmail ${TEXT}`],
    ['discarded, no Message-ID', { discarded: true, delivered: [], messageId: undefined }, `${PREFIX} status=discarded sha256=${SHA} size=1234 to=- ms=12 mta=qmail ${TEXT}`],
    ['discarded false: delivered, no text', { discarded: false }, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=1234 to=a,b ms=12 mta=qmail`],
    ['discarded absent: delivered, no text', {}, `${PREFIX} status=delivered msgid=<1@example.org> sha256=${SHA} size=1234 to=a,b ms=12 mta=qmail`],
    ['not discarded, rejected as unmatched: bounced 5.7.1', { outcome: permanent('5.7.1', "no target's match rule accepts this message (unmatched: reject)"), delivered: [] }, `${PREFIX} status=bounced code=5.7.1 msgid=<1@example.org> sha256=${SHA} size=1234 to=- ms=12 mta=qmail text="no target's match rule accepts this message (unmatched: reject)"`],
    ['not discarded, deferred as unmatched: deferred 4.7.1', { outcome: temporary('4.7.1', "no target's match rule accepts this message (unmatched: defer)"), delivered: [] }, `${PREFIX} status=deferred code=4.7.1 msgid=<1@example.org> sha256=${SHA} size=1234 to=- ms=12 mta=qmail text="no target's match rule accepts this message (unmatched: defer)"`],
  ];
  for (const [title, change, expected] of table) {
    it(title, () => assert.equal(logLine(facts(change)), `${expected}\n`));
  }
});
