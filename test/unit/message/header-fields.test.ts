// The header block split into fields (RFC 5322 §2.2), unfolded (§2.2.3), values still bytes;
// tolerant of whatever a hostile or broken mailer sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerFields } from '../../../src/message/header-fields';

/** [name, value] pairs, values as Latin-1 text (one character per byte). */
const fieldsOf = (text: string): [string, string][] =>
  headerFields(Buffer.from(text, 'latin1')).map((field) => [field.name, field.value.toString('latin1')]);

describe('headerFields', () => {
  /** [title, header block, fields] */
  // prettier-ignore
  const table: [string, string, [string, string][]][] = [
    ['one field per line, value after the colon, not trimmed', 'Subject: hi \nTo: a@b\n\n', [['Subject', ' hi '], ['To', ' a@b']]],
    ['names kept as written', 'SUBJECT: a\nx-git-repo: b\n\n', [['SUBJECT', ' a'], ['x-git-repo', ' b']]],
    ['a repeated field, in order', 'Received: 1\nSubject: s\nReceived: 2\n\n', [['Received', ' 1'], ['Subject', ' s'], ['Received', ' 2']]],
    ['an empty value', 'X-Empty:\nA: 1\n\n', [['X-Empty', ''], ['A', ' 1']]],
    ['no space after the colon', 'A:1\n\n', [['A', '1']]],
    ['a colon in the value', 'A: b: c\n\n', [['A', ' b: c']]],
    ['the leading mbox From_ line is skipped', 'From sender@example.org Sat Nov 28 14:00:00 2026\nSubject: x\n\nbody\n', [['Subject', ' x']]],
    ['a From_ line with CRLF is skipped', 'From s Sat Nov 28\r\nSubject: x\r\n\r\n', [['Subject', ' x']]],
    ['a From: field is a field', 'From: a@b\n\n', [['From', ' a@b']]],
    ['only a From_ line', 'From s Sat Nov 28', []],
    ['a From_ line, then the empty line', 'From s\n\nSubject: body\n', []],
    ['a "From " line that is not first is not a field', 'A: 1\nFrom s\nB: 2\n\n', [['A', ' 1'], ['B', ' 2']]],
    ['folding with LF and a space', 'Subject: a\n b\n\n', [['Subject', ' a b']]],
    ['folding with LF and a tab', 'Subject: a\n\tb\n\n', [['Subject', ' a\tb']]],
    ['folding with CRLF and a space', 'Subject: a\r\n b\r\n\r\n', [['Subject', ' a b']]],
    ['folding with CRLF and a tab', 'Subject: a\r\n\tb\r\n\r\n', [['Subject', ' a\tb']]],
    ['folded over several lines, all white space kept', 'Subject: a\n  b\n\t\tc\n\n', [['Subject', ' a  b\t\tc']]],
    ['a folded empty first line', 'Subject:\n a\n\n', [['Subject', ' a']]],
    ['a line of white space only is a continuation', 'Subject: a\n \nB: 1\n\n', [['Subject', ' a '], ['B', ' 1']]],
    ['obsolete white space before the colon (RFC 5322 §4.5.8)', 'Subject : a\nTo\t: b\nCc \t : c\n\n', [['Subject', ' a'], ['To', ' b'], ['Cc', ' c']]],
    ['a line without a colon is skipped, with its continuation', 'A: 1\nnot a field\n X-Hidden: folded under it\nB: 2\n\n', [['A', ' 1'], ['B', ' 2']]],
    ['a continuation before any field is skipped', ' stray\nA: 1\n\n', [['A', ' 1']]],
    ['a name with a space is not a field', 'Sub ject: a\nB: 1\n\n', [['B', ' 1']]],
    ['a line starting with a colon is not a field', ': a\nB: 1\n\n', [['B', ' 1']]],
    ['a name with 8-bit bytes is not a field', 'Sub\u00e9ct: a\nB: 1\n\n', [['B', ' 1']]],
    ['the body is not included', 'A: 1\n\nB: 2\nC: 3\n', [['A', ' 1']]],
    ['the body is not included (CRLF)', 'A: 1\r\n\r\nB: 2\r\n', [['A', ' 1']]],
    ['an empty header (a blank line first)', '\nA: 1\n', []],
    ['an empty block', '', []],
    ['a header without a body (no empty line)', 'A: 1\nB: 2\n', [['A', ' 1'], ['B', ' 2']]],
    ['a header without a body or final line end', 'A: 1\nB: 2', [['A', ' 1'], ['B', ' 2']]],
    ['a header cut inside a folded field', 'A: 1\n 2', [['A', ' 1 2']]],
    ['a lone CR stays in the value', 'A: x\rB: y\n\n', [['A', ' x\rB: y']]],
    ['only the CR before the LF goes', 'A: x\r\r\n\n', [['A', ' x\r']]],
  ];
  for (const [title, text, fields] of table) {
    it(title, () => assert.deepEqual(fieldsOf(text), fields));
  }

  it('NUL and 8-bit bytes are kept in the value as bytes', () => {
    const block = Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from([0x00, 0xe9, 0xff, 0x80]),
      Buffer.from('\n '),
      Buffer.from('é', 'utf8'),
      Buffer.from('\n\n'),
    ]);
    const [field] = headerFields(block);
    assert.equal(field?.name, 'Subject');
    assert.ok(field.value.equals(Buffer.from([0x20, 0x00, 0xe9, 0xff, 0x80, 0x20, 0xc3, 0xa9])));
  });

  it('a long field: the whole value, past the first 1000 characters', () => {
    const value = ` ${'x'.repeat(5000)}`;
    assert.deepEqual(fieldsOf(`X-Long:${value}\nB: 1\n\n`), [
      ['X-Long', value],
      ['B', ' 1'],
    ]);
  });

  it('values are copies: changing the block does not change them', () => {
    const block = Buffer.from('A: 1\n 2\n\n');
    const [field] = headerFields(block);
    block.fill(0x7a);
    assert.equal(field?.value.toString(), ' 1 2');
  });
});
