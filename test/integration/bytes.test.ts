// DESIGN.md guarantee 4, "Byte-exact": what lands in every maildir is the input minus a leading
// mbox From_ line, never re-serialised. Each case is delivered into 3 maildirs; every copy must
// equal the expected bytes, and Python's mailbox.Maildir must read exactly one message of that
// length and hash from each maildir.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { finished, listMaildir, runCli, sandbox, startCli } from './harness';
import { onlyNewFile, pythonMaildirs, waitUntil } from './readers';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const FROM_LINE = 'From sender@example.org Sat Jan  3 01:05:34 1996';

interface Case {
  /** The property, in words. */
  readonly property: string;
  readonly input: Buffer;
  readonly expected: Buffer;
  /** Subject as Python's email parser reports it; null when the message has none. */
  readonly subject: string | null;
}

const LONG_HEADER = `X-Long: ${'x'.repeat(200 * 1024)}`;
const INVALID_UTF8 = Buffer.from([
  0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x80, 0xff,
]);

const unchanged = (property: string, input: Buffer, subject: string | null): Case => ({
  property,
  input,
  expected: input,
  subject,
});

const CASES: readonly Case[] = [
  unchanged(
    'CRLF line ends are kept',
    latin1('From: a@example.org\r\nSubject: crlf\r\n\r\nline one\r\nline two\r\n'),
    'crlf',
  ),
  unchanged('NUL bytes are kept', latin1('Subject: nul\n\nbefore\0after\0\0\nend\0\n'), 'nul'),
  unchanged(
    '8-bit Latin-1 bytes in a header and the body are kept',
    latin1('Subject: latin1\nX-Name: Ren\xe9e M\xfcller\n\nna\xefve r\xe9sum\xe9 \xa3\xff\xfe\n'),
    'latin1',
  ),
  unchanged(
    'invalid UTF-8 sequences are kept',
    Buffer.concat([latin1('Subject: invalid utf-8\nX-Raw: '), INVALID_UTF8, latin1('\n\n'), INVALID_UTF8]),
    'invalid utf-8',
  ),
  unchanged('a bare CR is kept', latin1('Subject: bare cr\n\nline\rsame line\r\n\rlast\r'), 'bare cr'),
  unchanged('a message without a final newline is kept so', latin1('Subject: no eol\n\nlast line'), 'no eol'),
  unchanged(
    'a single 200 KiB header line is kept whole',
    latin1(`Subject: long header\n${LONG_HEADER}\n\nbody\n`),
    'long header',
  ),
  unchanged('an empty message is delivered as an empty file', Buffer.alloc(0), null),
  {
    property: 'a leading From_ line ending in LF is removed and the rest kept exactly',
    input: latin1(`${FROM_LINE}\nSubject: from lf\n\nbody\r\n\0\xe9`),
    expected: latin1('Subject: from lf\n\nbody\r\n\0\xe9'),
    subject: 'from lf',
  },
  {
    property: 'a leading From_ line ending in CRLF is removed and the rest kept exactly',
    input: latin1(`${FROM_LINE}\r\nSubject: from crlf\r\n\r\nbody\r\nno eol`),
    expected: latin1('Subject: from crlf\r\n\r\nbody\r\nno eol'),
    subject: 'from crlf',
  },
  {
    property: 'a message that is only a From_ line is delivered as an empty file',
    input: latin1(`${FROM_LINE}\n`),
    expected: Buffer.alloc(0),
    subject: null,
  },
  unchanged(
    'a leading ">From " line is kept',
    latin1(`>${FROM_LINE}\nSubject: quoted from\n\nbody\n`),
    null, // not a header line, so Python's parser takes everything for the body
  ),
  unchanged(
    'a leading "From:" header (From without a space) is kept',
    latin1('From: a@example.org\nSubject: from header\n\nbody\n'),
    'from header',
  ),
  unchanged(
    'a "From " line that is not the first line is kept',
    latin1(`Subject: later from\n${FROM_LINE}\n\nbody\nFrom here on\n`),
    'later from',
  ),
  unchanged('an input of only "Fro", shorter than "From ", is kept', latin1('Fro'), null),
];

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Every maildir holds exactly `expected` in new/, nothing in tmp/ or cur/, and Python agrees. */
function assertDelivered(dirs: readonly string[], expected: Buffer, subject: string | null): void {
  for (const dir of dirs) {
    const listing = listMaildir(dir);
    assert.deepEqual(
      { tmp: listing.tmp.length, new: listing.new.length, cur: listing.cur.length },
      {
        tmp: 0,
        new: 1,
        cur: 0,
      },
    );
    const copy = readFileSync(onlyNewFile(dir));
    assert.ok(copy.equals(expected), `${dir}: copy differs from the expected ${expected.length} bytes`);
  }
  const seen = pythonMaildirs(dirs);
  assert.deepEqual(
    seen,
    dirs.map(() => [{ bytes: expected.length, sha256: sha256(expected), subject }]),
  );
}

describe('byte-exact delivery into 3 maildirs', () => {
  const box = sandbox();
  after(() => box.remove());
  let run = 0;
  const threeMaildirs = (): string[] => {
    run += 1;
    return ['a', 'b', 'c'].map((name) => box.maildir(`run${run}/${name}`));
  };

  for (const { property, input, expected, subject } of CASES) {
    it(`${property}, in every copy`, async () => {
      const dirs = threeMaildirs();
      const result = await runCli(dirs, { input });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout + result.stderr, '');
      assertDelivered(dirs, expected, subject);
    });
  }

  // The From_ decision may span several reads of stdin: "Fr" + "om " is still a From_ line,
  // and "Fro" + "m:" is still a header.
  const pieces = (parts: readonly string[]): Buffer[] => parts.map(latin1);
  const SPLIT_CASES = [
    {
      property: 'a From_ line split across several reads of stdin is still removed',
      parts: pieces([
        'Fr',
        'om sen',
        'der Sat Jan  3 01:05:34 1996\r',
        '\nSubject: split',
        '\r\n\r\nbody\r\n',
      ]),
      expected: latin1('Subject: split\r\n\r\nbody\r\n'),
      subject: 'split',
    },
    {
      property: 'a "From:" header split after "Fro" across reads of stdin is kept',
      parts: pieces(['Fro', 'm: a@example.org\nSubject: split header\n', '\nbody\n']),
      expected: latin1('From: a@example.org\nSubject: split header\n\nbody\n'),
      subject: 'split header',
    },
  ];
  for (const { property, parts, expected, subject } of SPLIT_CASES) {
    it(`${property}, in every copy`, async () => {
      const dirs = threeMaildirs();
      const child = startCli(dirs);
      const done = finished(child);
      // The CLI creates its tmp files before it reads the first byte: from then on, pieces
      // written with a pause in between reach it as separate reads (not one buffered chunk).
      await waitUntil(() => listMaildir(dirs[0]!).tmp.length > 0);
      for (const part of parts) {
        child.stdin?.write(part);
        await sleep(100);
      }
      child.stdin?.end();
      const result = await done;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout + result.stderr, '');
      assertDelivered(dirs, expected, subject);
    });
  }
});
