// Streaming the message into the sinks: byte counting after the From_ line, the size limit,
// and a failing sink, each of which stops the writes but still reads the input to its end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pumpMessage, type MessageSink } from '../../../src/message/pump';
import { FailureError } from '../../../src/outcome/outcome';

/** An input that records how far it was read. */
function trackedInput(chunks: readonly (string | Buffer)[]): {
  input: AsyncIterable<Buffer | string>;
  read: () => number;
  finished: () => boolean;
} {
  let read = 0;
  let finished = false;
  return {
    input: {
      async *[Symbol.asyncIterator]() {
        for (const chunk of chunks) {
          await Promise.resolve();
          read++;
          yield chunk;
        }
        finished = true;
      },
    },
    read: () => read,
    finished: () => finished,
  };
}

/** A sink that keeps what it receives; it fails from write number `failAt` on, if given. */
function sink(failAt?: number): MessageSink & { chunks: Buffer[]; writes: number } {
  const state = {
    chunks: [] as Buffer[],
    writes: 0,
    async write(chunk: Buffer): Promise<void> {
      state.writes++;
      await Promise.resolve();
      if (failAt !== undefined && state.writes >= failAt) {
        throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
      }
      state.chunks.push(Buffer.from(chunk));
    },
  };
  return state;
}

const text = (s: { chunks: Buffer[] }): string => Buffer.concat(s.chunks).toString('latin1');

describe('pumpMessage', () => {
  it('copies the message to every sink and counts bytes after the From_ line', async () => {
    const a = sink();
    const b = sink();
    const result = await pumpMessage(trackedInput(['From x\nSubj', 'ect: y\n\nbody\n']).input, [a, b], 1000);
    assert.deepEqual(result, { bytes: 'Subject: y\n\nbody\n'.length, fromLine: 'From x' });
    assert.equal(text(a), 'Subject: y\n\nbody\n');
    assert.equal(text(b), 'Subject: y\n\nbody\n');
  });

  it('accepts string chunks (as UTF-8) and reports no From_ line when there is none', async () => {
    const a = sink();
    const result = await pumpMessage(trackedInput(['héllo\n']).input, [a], 1000);
    assert.deepEqual(result, { bytes: 7, fromLine: undefined });
    assert.deepEqual(Buffer.concat(a.chunks), Buffer.from('héllo\n'));
  });

  it('flushes held-back bytes at the end ("Fro" is a message)', async () => {
    const a = sink();
    const result = await pumpMessage(trackedInput(['Fr', 'o']).input, [a], 1000);
    assert.equal(result.bytes, 3);
    assert.equal(text(a), 'Fro');
  });

  it('an empty message is 0 bytes and writes nothing', async () => {
    const a = sink();
    assert.deepEqual(await pumpMessage(trackedInput([]).input, [a], 1000), { bytes: 0, fromLine: undefined });
    assert.equal(a.writes, 0);
  });

  it('works with no sinks (--dry-run)', async () => {
    assert.equal((await pumpMessage(trackedInput(['abc']).input, [], 1000)).bytes, 3);
  });

  it('a message of exactly the size limit passes (the From_ line does not count)', async () => {
    const a = sink();
    const result = await pumpMessage(trackedInput(['From x\n', '12345', '67890']).input, [a], 10);
    assert.equal(result.bytes, 10);
    assert.equal(text(a), '1234567890');
  });

  it('one byte over the limit fails permanently with 5.2.3, after reading all the input', async () => {
    const a = sink();
    const tracked = trackedInput(['From x\n', '12345', '67890', '1', 'more', 'and more']);
    const error = await pumpMessage(tracked.input, [a], 10).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof FailureError);
    assert.equal(error.failure.kind, 'permanent');
    assert.equal(error.failure.status, '5.2.3');
    assert.match(error.failure.text, /size limit of 10 bytes/);
    assert.ok(tracked.finished(), 'the input was not read to its end');
    assert.equal(tracked.read(), 6);
    assert.equal(text(a), '1234567890', 'kept writing past the limit');
  });

  it('stops writing at the first chunk that crosses the limit', async () => {
    const a = sink();
    const tracked = trackedInput(['123456', '789012', '3']);
    await assert.rejects(pumpMessage(tracked.input, [a], 10), FailureError);
    assert.equal(text(a), '123456');
    assert.equal(a.writes, 1);
    assert.ok(tracked.finished());
  });

  it('a failing sink stops all writes, the input is still read to the end, then its error is thrown', async () => {
    const good = sink();
    const bad = sink(2);
    const tracked = trackedInput(['one\n', 'two\n', 'three\n', 'four\n']);
    await assert.rejects(pumpMessage(tracked.input, [good, bad], 1000), { code: 'ENOSPC' });
    assert.ok(tracked.finished(), 'the input was not read to its end');
    assert.equal(bad.writes, 2);
    assert.equal(text(good), 'one\ntwo\n', 'writes went on after the sink failed');
  });

  it('a sink error wins over the size limit', async () => {
    const bad = sink(1);
    await assert.rejects(pumpMessage(trackedInput(['0123456789', 'x']).input, [bad], 10), { code: 'ENOSPC' });
  });

  it('waits for every sink to finish a chunk before reading the next one', async () => {
    const log: string[] = [];
    const slow: MessageSink = {
      async write(chunk) {
        log.push(`start ${chunk.toString()}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`end ${chunk.toString()}`);
      },
    };
    const input: AsyncIterable<string> = {
      async *[Symbol.asyncIterator]() {
        for (const chunk of ['a', 'b']) {
          log.push(`read ${chunk}`);
          await Promise.resolve();
          yield chunk;
        }
      },
    };
    await pumpMessage(input, [slow], 1000);
    assert.deepEqual(log, ['read a', 'start a', 'end a', 'read b', 'start b', 'end b']);
  });

  it('an error of the input itself is thrown', async () => {
    const input: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        await Promise.resolve();
        throw Object.assign(new Error('read error'), { code: 'EIO' });
      },
    };
    await assert.rejects(pumpMessage(input, [sink()], 1000), { code: 'EIO' });
  });
});
