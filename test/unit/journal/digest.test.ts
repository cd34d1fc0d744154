// The identity of a message for exactly-once delivery: SHA-256 of exactly the bytes delivered.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { digestSink } from '../../../src/journal/digest';

async function digestOf(...chunks: Buffer[]): Promise<string> {
  const sink = digestSink();
  for (const chunk of chunks) await sink.write(chunk);
  return sink.hex();
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('digestSink', () => {
  it('the empty message: SHA-256 of no bytes', async () => {
    assert.equal(await digestOf(), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('"abc": the FIPS 180-2 test vector, lower-case hex', async () => {
    assert.equal(
      await digestOf(Buffer.from('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('does not depend on how the message is cut into chunks', async () => {
    const message = Buffer.from('Subject: chunks\r\n\r\nbody \u0000 \xff\n', 'latin1');
    const whole = await digestOf(message);
    assert.equal(whole, sha256(message));
    for (let cut = 0; cut <= message.length; cut++) {
      assert.equal(await digestOf(message.subarray(0, cut), message.subarray(cut)), whole, `cut at ${cut}`);
    }
    assert.equal(await digestOf(...[...message].map((byte) => Buffer.from([byte]))), whole, 'byte by byte');
  });

  // Two messages that differ in one byte are two messages (DESIGN.md guarantee 3).
  for (const [what, a, b] of [
    ['CRLF against LF', 'Subject: x\r\n\r\nbody\r\n', 'Subject: x\n\nbody\n'],
    ['a missing final newline', 'Subject: x\n\nbody\n', 'Subject: x\n\nbody'],
    ['one header', 'Message-ID: <1@x>\n\nbody\n', 'Message-ID: <2@x>\n\nbody\n'],
    ['a NUL byte', 'body\u0000\n', 'body\n'],
    ['an 8-bit byte', 'caf\xe9\n', 'cafe\n'],
  ] as const) {
    it(`every byte counts: ${what} gives another digest`, async () => {
      assert.notEqual(await digestOf(Buffer.from(a, 'latin1')), await digestOf(Buffer.from(b, 'latin1')));
    });
  }
});
