// Removal of a leading mbox "From " line, and of nothing else, across any chunk boundaries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FromLineStripper } from '../../../src/message/from-line';

/** Runs the stripper over `chunks`; returns the message bytes and the removed line. */
function strip(chunks: readonly string[]): { output: string; removed: string | undefined } {
  const stripper = new FromLineStripper();
  const parts = chunks.map((chunk) => stripper.push(Buffer.from(chunk, 'latin1')));
  parts.push(stripper.end());
  return { output: Buffer.concat(parts).toString('latin1'), removed: stripper.removedLine };
}

/** [title, input, expected output, expected removedLine] */
// prettier-ignore
const cases: [string, string, string, string | undefined][] = [
  ['From line removed', 'From x\nrest', 'rest', 'From x'],
  ['CRLF From line removed', 'From x Sat Nov 28 14:00:00 2026\r\nrest\r\n', 'rest\r\n', 'From x Sat Nov 28 14:00:00 2026'],
  ['no From line', 'Subject: hi\n\nbody\n', 'Subject: hi\n\nbody\n', undefined],
  ['"From" without space kept', 'From\nrest', 'From\nrest', undefined],
  ['"From:" header kept', 'From: a@example.org\n\nbody', 'From: a@example.org\n\nbody', undefined],
  ['">From " kept', '>From x\nrest', '>From x\nrest', undefined],
  ['" From " kept', ' From x\nrest', ' From x\nrest', undefined],
  ['"from " (lower case) kept', 'from x\nrest', 'from x\nrest', undefined],
  ['"Fro" at end kept', 'Fro', 'Fro', undefined],
  ['"From" at end kept', 'From', 'From', undefined],
  ['"F" at end kept', 'F', 'F', undefined],
  ['empty input', '', '', undefined],
  ['only a From line, no newline → empty', 'From x', '', 'From x'],
  ['only "From " → empty', 'From ', '', 'From '],
  ['only a From line with newline → empty', 'From x\n', '', 'From x'],
  ['only the first line is a From line', 'From a\nFrom b\nrest', 'From b\nrest', 'From a'],
  ['a later From line is kept', 'Subject: x\nFrom a\n', 'Subject: x\nFrom a\n', undefined],
  ['empty message after the From line', 'From x\n\n', '\n', 'From x'],
  ['a lone CR in the From line stays in removedLine', 'From a\rb\nrest', 'rest', 'From a\rb'],
  ['CR, NUL and 8-bit after it are kept', 'From x\n\r\0\xff\xe9\n', '\r\0\xff\xe9\n', 'From x'],
  ['no final newline kept', 'From x\nlast line', 'last line', 'From x'],
];

describe('FromLineStripper', () => {
  for (const [title, input, output, removed] of cases) {
    it(`${title} (one chunk)`, () => assert.deepEqual(strip([input]), { output, removed }));
  }

  for (const [title, input, output, removed] of cases) {
    it(`${title} (1-byte chunks)`, () =>
      assert.deepEqual(strip(Array.from({ length: input.length }, (_, i) => input.slice(i, i + 1))), {
        output,
        removed,
      }));
  }

  for (const [title, input, output, removed] of cases) {
    it(`${title} (every two-chunk split)`, () => {
      for (let at = 0; at <= input.length; at++) {
        const result = strip([input.slice(0, at), input.slice(at)]);
        assert.deepEqual(result, { output, removed }, `split at ${at}`);
      }
    });
  }

  it('every three-chunk split of a CRLF sample gives the same output', () => {
    const input = 'From sender@example.org Sat Nov 28 14:00:00 2026\r\nSubject: x\r\n\r\nFrom here\r\n';
    for (let a = 0; a <= input.length; a++) {
      for (let b = a; b <= input.length; b++) {
        const result = strip([input.slice(0, a), input.slice(a, b), input.slice(b)]);
        assert.deepEqual(
          result,
          {
            output: 'Subject: x\r\n\r\nFrom here\r\n',
            removed: 'From sender@example.org Sat Nov 28 14:00:00 2026',
          },
          `split at ${a}, ${b}`,
        );
      }
    }
  });

  it('empty chunks anywhere change nothing', () => {
    assert.deepEqual(strip(['', 'Fr', '', 'om x', '', '\nrest', '']), { output: 'rest', removed: 'From x' });
  });

  it('a From line longer than one chunk is removed whole', () => {
    const line = `From ${'x'.repeat(100_000)}`;
    const chunks = [line.slice(0, 65536), line.slice(65536), '\nSubject: y\n'];
    assert.deepEqual(strip(chunks).output, 'Subject: y\n');
  });

  it('removedLine keeps the first 200 bytes of a long From line', () => {
    const line = `From ${'y'.repeat(500)}`;
    assert.equal(
      strip([line.slice(0, 3), line.slice(3, 150), line.slice(150), '\nrest']).removed,
      line.slice(0, 200),
    );
    assert.equal(strip([`${line}\r\nrest`]).removed, line.slice(0, 200));
  });

  it('removedLine drops the CR of a CRLF line end split from its LF', () => {
    assert.equal(strip(['From x\r', '\nrest']).removed, 'From x');
  });

  it('removedLine is read as latin1, one character per byte', () => {
    const stripper = new FromLineStripper();
    stripper.push(Buffer.from([...Buffer.from('From '), 0xe9, 0x0a]));
    assert.equal(stripper.removedLine, 'From \u00e9');
  });

  it('passes later chunks through as the same buffer, without copying', () => {
    const stripper = new FromLineStripper();
    stripper.push(Buffer.from('Subject: x\n'));
    const chunk = Buffer.from('body\n');
    assert.equal(stripper.push(chunk), chunk);
  });
});
