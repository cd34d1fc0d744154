// Header text from the environment made safe: no control character, no line over 998.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerLine, qmailLine, sanitizeHeaderValue } from '../../../src/mta/header-value';

/** Half of a UTF-16 surrogate pair without the other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Every C0 control character and DEL. */
const CONTROLS = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)), '\u007f'];

describe('sanitizeHeaderValue', () => {
  // prettier-ignore
  const table: [string, string, string][] = [
    ['a plain address is kept', 's@example.org', 's@example.org'],
    ['empty stays empty', '', ''],
    ['CR → _', 'a\rb', 'a_b'],
    ['LF → _', 'a\nb', 'a_b'],
    ['CRLF → __ (one _ per character)', 'a\r\nb', 'a__b'],
    ['an injected header line is flattened', 'x@y\r\nBcc: victim@example.org', 'x@y__Bcc: victim@example.org'],
    ['NUL → _', 'a\u0000b', 'a_b'],
    ['TAB → _', 'a\tb', 'a_b'],
    ['ESC → _ (no terminal escapes in logs)', 'a\u001b[31mb', 'a_[31mb'],
    ['DEL → _', 'a\u007fb', 'a_b'],
    ['a trailing newline → _', 'a\n', 'a_'],
    ['spaces and printable ASCII are kept', ' <a b@c> !~', ' <a b@c> !~'],
    ['non-ASCII text is kept', 'café@exämple.org ✓', 'café@exämple.org ✓'],
    ['U+FFFD (what undecodable bytes in the environment become) is kept', 'a\ufffdb', 'a\ufffdb'],
  ];
  for (const [title, value, expected] of table) {
    it(title, () => assert.equal(sanitizeHeaderValue(value), expected));
  }

  it('every C0 control character and DEL becomes _', () => {
    for (const c of CONTROLS) assert.equal(sanitizeHeaderValue(`a${c}b`), 'a_b', JSON.stringify(c));
  });

  // prettier-ignore
  const lengths: [string, string, number | undefined, number][] = [
    ['998 characters: kept whole', 'x'.repeat(998), undefined, 998],
    ['999 characters: cut to 998 (RFC 5322 §2.1.1)', 'x'.repeat(999), undefined, 998],
    ['5000 characters: cut to 998', 'x'.repeat(5000), undefined, 998],
    ['a given room: cut to it', 'x'.repeat(50), 10, 10],
    ['shorter than the room: kept', 'x'.repeat(5), 10, 5],
  ];
  for (const [title, value, room, length] of lengths) {
    it(title, () => assert.equal(sanitizeHeaderValue(value, room).length, length));
  }
});

describe('headerLine', () => {
  // prettier-ignore
  const table: [string, string, string, string][] = [
    ['Return-Path', 'Return-Path', '<s@example.org>', 'Return-Path: <s@example.org>\n'],
    ['Delivered-To', 'Delivered-To', 'bb@example.org', 'Delivered-To: bb@example.org\n'],
    ['an empty value (a bounce has the null sender)', 'Return-Path', '<>', 'Return-Path: <>\n'],
    ['a hostile value stays on one line', 'Delivered-To', 'a@b\nBcc: c@d\r\n', 'Delivered-To: a@b_Bcc: c@d__\n'],
  ];
  for (const [title, name, value, expected] of table) {
    it(title, () => assert.equal(headerLine(name, value), expected));
  }

  it('a 5000-character value: the line is 998 characters and its newline', () => {
    const line = headerLine('Delivered-To', 'x'.repeat(5000));
    assert.equal(line.length, 999);
    assert.ok(line.startsWith('Delivered-To: xxx') && line.endsWith('x\n'));
  });

  it('exactly one newline, at the end, whatever the value', () => {
    for (const c of CONTROLS) {
      const line = headerLine('Return-Path', `<a${c}${c}b>`);
      assert.equal(line.indexOf('\n'), line.length - 1, JSON.stringify(c));
      assert.ok(!line.includes('\r'), JSON.stringify(c));
    }
  });

  // Found while writing these tests: the cap counts UTF-16 code units, but the line is written
  // as UTF-8, and RFC 6532 §3.4 makes the 998 limit one of octets ("This specification changes
  // the former limit to 998 octets").
  it('regression: the 998 limit counts octets of the UTF-8 line (RFC 6532 §3.4), not characters', () => {
    const line = headerLine('Return-Path', `<${'é'.repeat(5000)}>`);
    assert.ok(Buffer.byteLength(line) <= 999, `${Buffer.byteLength(line)} bytes`);
  });

  it('regression: a cut never splits a character in two (no lone surrogate)', () => {
    for (const pad of [995, 996, 997]) {
      const value = `${'x'.repeat(pad - 'Return-Path: '.length)}${'😀'.repeat(10)}`;
      const line = headerLine('Return-Path', value);
      assert.doesNotMatch(line, LONE_SURROGATE, `pad ${pad}`);
    }
  });
});

describe('qmailLine', () => {
  // prettier-ignore
  const table: [string, string | undefined, string, string | undefined][] = [
    ['unset: undefined', undefined, 'Return-Path', undefined],
    ['RPLINE as qmail-local sets it', 'Return-Path: <s@example.org>\n', 'Return-Path', 'Return-Path: <s@example.org>\n'],
    ['DTLINE as qmail-local sets it', 'Delivered-To: bb-foo@example.org\n', 'Delivered-To', 'Delivered-To: bb-foo@example.org\n'],
    ['no trailing newline: added', 'Delivered-To: a@b', 'Delivered-To', 'Delivered-To: a@b\n'],
    ['the null sender', 'Return-Path: <>\n', 'Return-Path', 'Return-Path: <>\n'],
    ['another header name: refused', 'Bcc: victim@example.org\n', 'Delivered-To', undefined],
    ['the name in lower case: refused', 'delivered-to: a@b\n', 'Delivered-To', undefined],
    ['no space after the colon: refused', 'Delivered-To:a@b\n', 'Delivered-To', undefined],
    ['empty: refused', '', 'Return-Path', undefined],
    ['a second line smuggled in: flattened', 'Delivered-To: a@b\nBcc: c@d\n', 'Delivered-To', 'Delivered-To: a@b_Bcc: c@d\n'],
    ['CR before the final newline: _', 'Delivered-To: a@b\r\n', 'Delivered-To', 'Delivered-To: a@b_\n'],
    ['two final newlines: only one is the line end', 'Delivered-To: a@b\n\n', 'Delivered-To', 'Delivered-To: a@b_\n'],
    ['a leading newline: refused', '\nDelivered-To: a@b\n', 'Delivered-To', undefined],
  ];
  for (const [title, line, name, expected] of table) {
    it(title, () => assert.equal(qmailLine(line, name), expected));
  }

  it('a 5000-character DTLINE: one line of 998 characters and its newline', () => {
    const line = qmailLine(`Delivered-To: ${'x'.repeat(5000)}\n`, 'Delivered-To');
    assert.equal(line?.length, 999);
  });
});
