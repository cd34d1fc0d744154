// Reading the header block ahead for routing, then handing the whole input back: the delivery
// must read the very same bytes as if nothing had been peeked, however the input is chunked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerEnd, peekHeaderBlock } from '../../../src/message/header-block';

async function* chunked(chunks: readonly (Buffer | string)[]): AsyncIterable<Buffer | string> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

/** Everything an iterable yields, as bytes (strings as UTF-8, as the delivery reads them). */
async function drain(input: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(parts);
}

const oneByteChunks = (bytes: Buffer): Buffer[] => Array.from(bytes, (byte) => Buffer.from([byte]));

/** A seeded generator, so that a failure can be reproduced. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

function randomChunks(bytes: Buffer, next: (n: number) => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + next(Math.min(40, bytes.length - at));
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('peekHeaderBlock: the header bytes', () => {
  /** [title, input, the header block] */
  // prettier-ignore
  const table: [string, string, string][] = [
    ['LF: up to and including the empty line', 'A: 1\nB: 2\n\nbody\n\nmore\n', 'A: 1\nB: 2\n\n'],
    ['CRLF: up to and including the empty line', 'A: 1\r\nB: 2\r\n\r\nbody\r\n', 'A: 1\r\nB: 2\r\n\r\n'],
    ['a From_ line is part of the block', 'From s Sat Nov 28\nA: 1\n\nbody\n', 'From s Sat Nov 28\nA: 1\n\n'],
    ['a folded field', 'A: 1\n 2\n\nbody', 'A: 1\n 2\n\n'],
    ['an empty header: LF first', '\nbody\n', '\n'],
    ['an empty header: CRLF first', '\r\nbody\r\n', '\r\n'],
    ['no empty line at all: the whole input', 'A: 1\nB: 2\n', 'A: 1\nB: 2\n'],
    ['no line end at all: the whole input', 'A: 1', 'A: 1'],
    ['an empty input', '', ''],
    ['a body with empty lines: the first one ends the block', 'A: 1\n\n\n\nB: 2\n\n', 'A: 1\n\n'],
    ['CRLF header, LF empty line', 'A: 1\r\n\nbody', 'A: 1\r\n\n'],
  ];
  for (const [title, text, block] of table) {
    it(`${title}: whole, one byte at a time, and cut at every offset`, async () => {
      const bytes = Buffer.from(text, 'latin1');
      const ways: [string, Buffer[]][] = [
        ['whole', [bytes]],
        ['one byte at a time', oneByteChunks(bytes)],
      ];
      for (let at = 1; at < bytes.length; at++)
        ways.push([`cut at ${at}`, [bytes.subarray(0, at), bytes.subarray(at)]]);
      for (const [how, chunks] of ways) {
        const peeked = await peekHeaderBlock(chunked(chunks), 1024);
        assert.equal(peeked.bytes.toString('latin1'), block, how);
        assert.ok((await drain(peeked.input)).equals(bytes), `${how}: replay differs`);
      }
    });
  }

  it('string chunks are read as UTF-8, and replayed', async () => {
    const peeked = await peekHeaderBlock(chunked(['Subject: caf', 'é\n', '\nbody ', 'ü\n']), 1024);
    assert.ok(peeked.bytes.equals(Buffer.from('Subject: café\n\n', 'utf8')));
    assert.ok((await drain(peeked.input)).equals(Buffer.from('Subject: café\n\nbody ü\n', 'utf8')));
  });

  it('8-bit, NUL and lone CR bytes are kept as they are', async () => {
    const bytes = Buffer.from([0x41, 0x3a, 0x20, 0xe9, 0x00, 0x0d, 0xff, 0x0a, 0x0a, 0x80, 0x00]);
    const peeked = await peekHeaderBlock(chunked(oneByteChunks(bytes)), 1024);
    assert.ok(peeked.bytes.equals(bytes.subarray(0, 9)));
    assert.ok((await drain(peeked.input)).equals(bytes));
  });
});

describe('peekHeaderBlock: the cap', () => {
  const HEADER = Buffer.from(`${'X-Long: '.padEnd(60, 'x')}\n`.repeat(10) + '\nbody\n', 'latin1');

  for (const max of [1, 5, 10, 61, 100, 300]) {
    it(`maxBytes ${max}: at most ${max} bytes of header; the replay is still the whole input`, async () => {
      for (const [how, chunks] of [
        ['whole', [HEADER]],
        ['one byte at a time', oneByteChunks(HEADER)],
        [
          'in 7-byte chunks',
          Array.from({ length: Math.ceil(HEADER.length / 7) }, (_, i) => HEADER.subarray(i * 7, i * 7 + 7)),
        ],
      ] as const) {
        const peeked = await peekHeaderBlock(chunked(chunks), max);
        assert.ok(peeked.bytes.length <= max, `${how}: ${peeked.bytes.length} bytes`);
        assert.ok(peeked.bytes.equals(HEADER.subarray(0, peeked.bytes.length)), `${how}: not the start`);
        assert.ok((await drain(peeked.input)).equals(HEADER), `${how}: replay differs`);
      }
    });
  }

  it('one byte at a time, the cap is reached exactly', async () => {
    const peeked = await peekHeaderBlock(chunked(oneByteChunks(HEADER)), 100);
    assert.equal(peeked.bytes.length, 100);
  });

  it('a header end beyond the cap in a chunk already read is not counted: at most maxBytes', async () => {
    const peeked = await peekHeaderBlock(chunked([Buffer.from('A: 123456789\n\nbody')]), 5);
    assert.equal(peeked.bytes.toString('latin1'), 'A: 12');
  });
});

describe('peekHeaderBlock: streaming', () => {
  it('reads no chunk beyond the one that ends the header', async () => {
    let pulled = 0;
    async function* source(): AsyncIterable<Buffer> {
      for (const text of ['A: 1\n', 'B: 2\n\nbo', 'dy 1\n', 'body 2\n']) {
        pulled++;
        await Promise.resolve();
        yield Buffer.from(text);
      }
    }
    const peeked = await peekHeaderBlock(source(), 1024);
    assert.equal(pulled, 2);
    assert.equal((await drain(peeked.input)).toString(), 'A: 1\nB: 2\n\nbody 1\nbody 2\n');
    assert.equal(pulled, 4);
  });

  it('reads no chunk beyond the cap', async () => {
    let pulled = 0;
    async function* source(): AsyncIterable<Buffer> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        await Promise.resolve();
        yield Buffer.from('X: 123456789\n');
      }
    }
    const peeked = await peekHeaderBlock(source(), 30);
    assert.equal(pulled, 3);
    assert.equal((await drain(peeked.input)).length, 1300);
  });

  it('the replayed stream equals the original for many random chunkings', async () => {
    const next = random(42);
    const texts = [
      'From s Sat Nov 28\nSubject: x\n y\n\nbody\n\nmore\n',
      'A: 1\r\nB: 2\r\n\r\nbody\r\n',
      '\nbody only\n',
      'A: no end, no body\n',
      `${'X: y\n'.repeat(50)}\n${'z'.repeat(500)}`,
    ];
    for (const text of texts) {
      const bytes = Buffer.from(text, 'latin1');
      const end = headerEnd(bytes) ?? bytes.length;
      for (let round = 0; round < 50; round++) {
        const max = 1 + next(bytes.length + 20);
        const chunks = randomChunks(bytes, next);
        const peeked = await peekHeaderBlock(chunked(chunks), max);
        const where = `${JSON.stringify(text.slice(0, 20))}, max ${max}, chunks ${chunks.map((c) => c.length).join(',')}`;
        assert.ok((await drain(peeked.input)).equals(bytes), `${where}: replay differs`);
        assert.ok(peeked.bytes.equals(bytes.subarray(0, Math.min(end, max, peeked.bytes.length))), where);
        assert.ok(peeked.bytes.length <= max, where);
        if (end <= max) assert.equal(peeked.bytes.length, end, `${where}: the whole header block`);
      }
    }
  });

  // Found while writing these tests: every chunk read concatenates all chunks read so far and
  // scans them again from the start, so the work grows with the square of the header size:
  // 64 KiB of header (no end) arriving one byte at a time takes about 24 s, 256 KiB (the routing
  // cap) minutes. Counted here as bytes copied by Buffer.concat and scanned by indexOf.
  it('regression: a header arriving one byte at a time is peeked in linear work', async () => {
    const size = 8 * 1024;
    const bytes = Buffer.alloc(size, 0x61);
    let work = 0;
    const proto = Buffer.prototype as Buffer;
    /* eslint-disable @typescript-eslint/unbound-method -- put back as they were */
    const concat = Buffer.concat;
    const indexOf = proto.indexOf;
    /* eslint-enable @typescript-eslint/unbound-method */
    Buffer.concat = (list, totalLength) => {
      const result = concat.call(Buffer, list, totalLength);
      work += result.length;
      return result;
    };
    proto.indexOf = function (this: Buffer, ...args: unknown[]): number {
      work += this.length;
      return Reflect.apply(indexOf, this, args) as number;
    };
    try {
      await peekHeaderBlock(chunked(oneByteChunks(bytes)), 256 * 1024);
    } finally {
      Buffer.concat = concat;
      proto.indexOf = indexOf;
    }
    assert.ok(work <= 16 * size, `${work} bytes copied or scanned for ${size} bytes of header`);
  });
});

describe('headerEnd', () => {
  // prettier-ignore
  const table: [string, string, number | undefined][] = [
    ['LF empty line', 'A: 1\n\nbody', 6],
    ['CRLF empty line', 'A: 1\r\n\r\nbody', 8],
    ['LF line, CRLF empty line', 'A: 1\n\r\nbody', 7],
    ['CRLF line, LF empty line', 'A: 1\r\n\nbody', 7],
    ['empty header, LF', '\nbody', 1],
    ['empty header, CRLF', '\r\nbody', 2],
    ['only LF', '\n', 1],
    ['only CRLF', '\r\n', 2],
    ['the first empty line wins', 'A\n\nB\r\n\r\n', 3],
    ['the first empty line wins (CRLF first)', 'A\r\n\r\nB\n\n', 5],
    ['no empty line', 'A: 1\nB: 2\n', undefined],
    ['a lone CR is not a line end', 'A: 1\r\r\nbody', undefined],
    ['CR CR LF is not an empty line', 'A: 1\n\r\r\nbody', undefined],
    ['a line of white space is not empty', 'A: 1\n \nbody', undefined],
    ['empty input', '', undefined],
    ['a lone CR', '\r', undefined],
    ['a lone CR first', '\rA: 1\n', undefined],
  ];
  for (const [title, text, end] of table) {
    it(`${title}: ${JSON.stringify(text)} → ${String(end)}`, () =>
      assert.equal(headerEnd(Buffer.from(text, 'latin1')), end));
  }
});
