// The one mapping from an Outcome to an exit status and a diagnostic line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnosticFor, exitStatusFor, type ExitDialect } from '../../../src/outcome/exit-status';
import { ok, permanent, temporary, type Outcome } from '../../../src/outcome/outcome';

describe('exitStatusFor', () => {
  // Exhaustive: every outcome kind × every dialect.
  // prettier-ignore
  const table: [Outcome, ExitDialect, number][] = [
    [ok, 'sysexits', 0],
    [ok, 'qmail', 0],
    [temporary('4.3.0', 'x'), 'sysexits', 75],
    [temporary('4.3.0', 'x'), 'qmail', 111],
    [permanent('5.2.3', 'x'), 'sysexits', 65],
    [permanent('5.2.3', 'x'), 'qmail', 100],
  ];
  for (const [outcome, dialect, status] of table) {
    it(`${outcome.kind}, ${dialect} → ${status}`, () =>
      assert.equal(exitStatusFor(outcome, dialect), status));
  }
});

describe('diagnosticFor', () => {
  it('says nothing on success (Exim fails a delivery that prints)', () => {
    assert.equal(diagnosticFor(ok), undefined);
  });

  // prettier-ignore
  const table: [string, Outcome, string][] = [
    ['temporary', temporary('4.3.1', 'disk full'), '4.3.1 maildir-fanout: disk full'],
    ['permanent', permanent('5.2.3', 'too big'), '5.2.3 maildir-fanout: too big'],
    ['LF replaced', temporary('4.3.0', 'a\nb'), '4.3.0 maildir-fanout: a b'],
    ['CRLF replaced by one space', temporary('4.3.0', 'a\r\nb'), '4.3.0 maildir-fanout: a b'],
    ['NUL, TAB, ESC and DEL replaced', temporary('4.3.0', 'a\0b\tc\x1bd\x7fe'), '4.3.0 maildir-fanout: a b c d e'],
    ['leading and trailing line breaks trimmed', temporary('4.3.0', '\nx\n'), '4.3.0 maildir-fanout: x'],
    ['8-bit text kept', temporary('4.2.1', 'maildir /srv/bøb missing'), '4.2.1 maildir-fanout: maildir /srv/bøb missing'],
  ];
  for (const [title, outcome, line] of table) {
    it(`${title}: ${JSON.stringify(line)}`, () => assert.equal(diagnosticFor(outcome), line));
  }

  it('is always one line that starts with the status code', () => {
    const texts = ['plain', 'multi\nline\ntext', '\r\r\n\n', 'x'.repeat(10_000), '\u0000'];
    for (const text of texts) {
      for (const outcome of [temporary('4.2.0', text), permanent('5.2.3', text)]) {
        const line = diagnosticFor(outcome) ?? '';
        assert.ok(line.startsWith(`${outcome.kind === 'temporary' ? '4.2.0' : '5.2.3'} `), line);
        assert.doesNotMatch(line, /[\r\n]/);
      }
    }
  });
});
