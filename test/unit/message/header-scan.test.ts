// The header block, seen while the message streams past: the loop check's exact-line match
// (qmail-local's bouncexf(), anchors-mda.md §2.1) and the Message-ID for the log. Every case
// runs with the message cut at every single byte, in one-byte chunks and whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerScan } from '../../../src/message/header-scan';

const DT = 'Delivered-To: bb-foo@example.org';
const MiB = 1024 * 1024;

/** Feeds `chunks` to a new scan for `wanted` and returns what it found. */
async function scan(chunks: readonly Buffer[], wanted: string | undefined = DT) {
  const sink = headerScan(wanted);
  for (const chunk of chunks) await sink.write(chunk);
  return { sawLine: sink.sawLine, messageId: sink.messageId };
}

/** The message whole, in one-byte chunks, and in two chunks cut at every offset. */
function splits(text: string | Buffer): [string, Buffer[]][] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const ways: [string, Buffer[]][] = [
    ['whole', [bytes]],
    ['one byte at a time', Array.from(bytes, (byte) => Buffer.from([byte]))],
  ];
  for (let at = 1; at < bytes.length; at++) {
    ways.push([`cut at ${at}`, [bytes.subarray(0, at), bytes.subarray(at)]]);
  }
  return ways;
}

/** Asserts `expected` for every way of cutting `text`. */
async function assertEveryCut(
  text: string,
  expected: { sawLine: boolean; messageId: string | undefined },
  wanted: string | undefined = DT,
): Promise<void> {
  for (const [how, chunks] of splits(text)) assert.deepEqual(await scan(chunks, wanted), expected, how);
}

describe('headerScan: the loop check (exact line in the header block)', () => {
  // prettier-ignore
  const table: [string, string, boolean][] = [
    ['the line first in the header', `${DT}\nSubject: x\n\nbody\n`, true],
    ['the line last in the header', `Subject: x\n${DT}\n\nbody\n`, true],
    ['the line among others', `Received: a\n${DT}\nSubject: x\n\nbody\n`, true],
    ['the line with CRLF', `Subject: x\r\n${DT}\r\n\r\nbody\r\n`, true],
    ['the line in a header-only message (no empty line)', `Subject: x\n${DT}\n`, true],
    ['the line twice', `${DT}\n${DT}\n\n`, true],
    ['the line in the body only', `Subject: x\n\n${DT}\n`, false],
    ['the line in the body only, CRLF', `Subject: x\r\n\r\n${DT}\r\n`, false],
    ['the line right after the empty line that ends the header', `\n${DT}\n`, false],
    ['another recipient', 'Delivered-To: other@example.org\n\nbody\n', false],
    ['a longer address', `${DT}.com\n\nbody\n`, false],
    ['a shorter address', `${DT.slice(0, -1)}\n\nbody\n`, false],
    ['trailing space', `${DT} \n\nbody\n`, false],
    ['leading space (a folded line)', ` ${DT}\n\nbody\n`, false],
    ['another case', `${DT.toUpperCase()}\n\nbody\n`, false],
    ['a tab for the space', `${DT.replace(' ', '\t')}\n\nbody\n`, false],
    ['the line with a lone CR inside', `${DT.replace(' ', '\r')}\n\nbody\n`, false],
    ['the line split by a fold', 'Delivered-To:\n bb-foo@example.org\n\nbody\n', false],
    ['the line at the end, without its line end', `Subject: x\n${DT}`, false],
    ['empty message', '', false],
  ];
  for (const [title, text, sawLine] of table) {
    it(`${title}: ${sawLine ? 'seen' : 'not seen'}`, () =>
      assertEveryCut(text, { sawLine, messageId: undefined }));
  }

  it('no wanted line (no Delivered-To added): never seen', async () => {
    for (const [how, chunks] of splits(`${DT}\n\nbody\n`)) {
      const sink = headerScan(undefined);
      for (const chunk of chunks) await sink.write(chunk);
      assert.equal(sink.sawLine, false, how);
    }
  });

  it('an empty line with CRLF ends the header block', async () => {
    await assertEveryCut(`Subject: x\r\n\r\n${DT}\r\n`, { sawLine: false, messageId: undefined });
  });

  it('a line of a single CR is the empty line that ends the header block', async () => {
    await assertEveryCut(`Subject: x\n\r\n${DT}\n`, { sawLine: false, messageId: undefined });
  });

  it('8-bit bytes in the wanted line: compared as UTF-8 bytes', async () => {
    const wanted = 'Delivered-To: café@example.org';
    const text = Buffer.concat([Buffer.from(`${wanted}\n`, 'utf8'), Buffer.from('\nbody\n')]);
    for (const [how, chunks] of splits(text)) assert.equal((await scan(chunks, wanted)).sawLine, true, how);
  });
});

describe('headerScan: the Message-ID', () => {
  // prettier-ignore
  const table: [string, string, string | undefined][] = [
    ['none', 'Subject: x\n\nbody\n', undefined],
    ['simple', 'Message-ID: <1@example.org>\n\nbody\n', '<1@example.org>'],
    ['any case of the name', 'message-id: <1@example.org>\n\n', '<1@example.org>'],
    ['Message-Id', 'Message-Id: <1@example.org>\n\n', '<1@example.org>'],
    ['MESSAGE-ID', 'MESSAGE-ID: <1@example.org>\n\n', '<1@example.org>'],
    ['no space after the colon', 'Message-ID:<1@example.org>\n\n', '<1@example.org>'],
    ['extra blanks trimmed', 'Message-ID: \t <1@example.org> \t\n\n', '<1@example.org>'],
    ['CRLF: no CR in the value', 'Message-ID: <1@example.org>\r\n\r\n', '<1@example.org>'],
    ['folded onto the next line', 'Message-ID:\n <1@example.org>\n\n', '<1@example.org>'],
    ['folded with a tab', 'Message-ID:\n\t<1@example.org>\n\n', '<1@example.org>'],
    ['folded, CRLF', 'Message-ID:\r\n <1@example.org>\r\n\r\n', '<1@example.org>'],
    ['folded over three lines', 'Message-ID: <1\n @example\n .org>\n\n', '<1 @example .org>'],
    ['among other headers', 'From: a\nMessage-ID: <1@x>\nSubject: y\n\n', '<1@x>'],
    ['the fold of the next header is not part of it', 'Message-ID: <1@x>\nSubject: y\n z\n\n', '<1@x>'],
    ['the first of two', 'Message-ID: <1@x>\nMessage-ID: <2@x>\n\n', '<1@x>'],
    ['in the body only: none', 'Subject: x\n\nMessage-ID: <1@x>\n', undefined],
    ['Resent-Message-ID is not it', 'Resent-Message-ID: <1@x>\n\n', undefined],
    ['a longer header name is not it', 'Message-IDs: <1@x>\n\n', undefined],
    ['8-bit bytes: read as latin1', 'Message-ID: <caf\xe9@x>\n\n', '<caf\xe9@x>'],
    ['a NUL byte is kept (the log sanitises it)', 'Message-ID: <a\u0000b@x>\n\n', '<a\u0000b@x>'],
    ['at the end, without its line end: not read', 'Message-ID: <1@x>', undefined],
    // Found while writing these tests: the fold of a second Message-ID is added to the first.
    ['regression: the first of two, the second folded', 'Message-ID: <1@x>\nMessage-ID:\n <2@x>\n\n', '<1@x>'],
    // Found while writing these tests: an over-long line is skipped without ending the
    // Message-ID, so the fold of the long header is taken for part of the Message-ID.
    ['regression: the fold of an over-long header after it is not part of it', `Message-ID: <1@x>\nX-Long: ${'a'.repeat(5000)}\n z\n\n`, '<1@x>'],
  ];
  for (const [title, text, messageId] of table) {
    it(title, async () => {
      // the 5000-byte case is cut at a few places only: every place would take minutes
      const ways = text.length > 1000 ? splits(text).filter((_, i) => i < 3 || i % 997 === 0) : splits(text);
      for (const [how, chunks] of ways) assert.equal((await scan(chunks)).messageId, messageId, how);
    });
  }

  it('a hostile Message-ID cannot hold a line feed: the line ends there', async () => {
    const { messageId } = await scan([Buffer.from('Message-ID: <a@x>\nstatus=forged\n\n')]);
    assert.equal(messageId, '<a@x>');
  });
});

describe('headerScan: bounds', () => {
  it('looks no further than 1 MiB into the header: the line after that is not seen', async () => {
    const filler = Buffer.alloc(MiB, 'X: y\n'); // 1 MiB of 5-byte header lines (a whole number of lines at 1048575)
    const text = Buffer.concat([filler.subarray(0, MiB - (MiB % 5)), Buffer.from(`X: y\n${DT}\n\nbody\n`)]);
    assert.ok(text.indexOf(DT) >= MiB);
    assert.equal((await scan([text])).sawLine, false);
  });

  it('the line inside the first 1 MiB is seen, whatever the chunk size', async () => {
    const filler = Buffer.alloc(MiB - 1000, 'X: y\n');
    const text = Buffer.concat([
      filler.subarray(0, filler.length - (filler.length % 5)),
      Buffer.from(`${DT}\n\nbody\n`),
    ]);
    assert.ok(text.indexOf(DT) + DT.length < MiB);
    for (const size of [7, 4096, 65536, text.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < text.length; at += size) chunks.push(text.subarray(at, at + size));
      assert.equal((await scan(chunks)).sawLine, true, `chunks of ${size}`);
    }
  });

  it('the Message-ID after 1 MiB of header is not read', async () => {
    const filler = Buffer.alloc(MiB - (MiB % 5), 'X: y\n');
    const text = Buffer.concat([filler, Buffer.from('X: y\nMessage-ID: <1@x>\n\n')]);
    assert.equal((await scan([text])).messageId, undefined);
  });

  // prettier-ignore
  const long: [string, string, boolean][] = [
    ['an over-long header line before it is skipped: the line is still seen', `X-Long: ${'a'.repeat(5000)}\n${DT}\n\nbody\n`, true],
    ['an over-long line that starts with the wanted line is not it', `${DT}${' '.repeat(5000)}\n\nbody\n`, false],
    ['an over-long line of spaces does not end the header block', `${' '.repeat(5000)}\n${DT}\n\n`, true],
  ];
  for (const [title, text, sawLine] of long) {
    it(title, async () => {
      const bytes = Buffer.from(text, 'latin1');
      for (const at of [1, 100, 4095, 4096, 4097, 5000, bytes.length - 3]) {
        const chunks = [bytes.subarray(0, at), bytes.subarray(at)];
        assert.equal((await scan(chunks)).sawLine, sawLine, `cut at ${at}`);
      }
      const bytewise = Array.from(bytes, (byte) => Buffer.from([byte]));
      assert.equal((await scan(bytewise)).sawLine, sawLine, 'one byte at a time');
    });
  }

  // prettier-ignore
  const lengths: [string, number, boolean][] = [
    ['a wanted line of 4096 bytes (the longest compared) is seen', 4096, true],
    ['a wanted line of 4097 bytes is not', 4097, false],
  ];
  for (const [title, length, sawLine] of lengths) {
    it(title, async () => {
      const wanted = `Delivered-To: ${'x'.repeat(length - 14)}`;
      const bytes = Buffer.from(`Subject: s\n${wanted}\n\nbody\n`);
      for (const at of [1, 12, 4000, 4096, 4097, bytes.length - 1]) {
        const chunks = [bytes.subarray(0, at), bytes.subarray(at)];
        assert.equal((await scan(chunks, wanted)).sawLine, sawLine, `cut at ${at}`);
      }
    });
  }

  it('an over-long Message-ID is not read', async () => {
    const text = `Message-ID: <${'a'.repeat(5000)}@x>\n\n`;
    assert.equal((await scan([Buffer.from(text)])).messageId, undefined);
  });

  it('an endless header line (2 MiB, no line end) costs nothing and finds nothing', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const sink = headerScan(DT);
    for (let i = 0; i < 32; i++) await sink.write(chunk);
    await sink.write(Buffer.from(`\n${DT}\n\n`));
    assert.deepEqual([sink.sawLine, sink.messageId], [false, undefined]);
  });

  it('never holds on to the chunks it was given: changing one afterwards changes nothing', async () => {
    const chunk = Buffer.from(DT.slice(0, 10));
    const sink = headerScan(DT);
    await sink.write(chunk);
    chunk.fill('x'); // the pump may reuse its buffers
    await sink.write(Buffer.from(`${DT.slice(10)}\n\n`));
    assert.equal(sink.sawLine, true);
  });
});
