// Routing needs the header before the first byte is written (a target that does not match gets
// no tmp file at all), but a message is streamed, never held. So the header block alone is read
// ahead, with a hard cap, and handed back in front of the rest of the stream: the delivery reads
// the same bytes as if nothing had been peeked.
import { Buffer } from 'node:buffer';

export interface PeekedHeader {
  /** The start of the input up to and including the empty line that ends the header block, or
   *  the whole input if shorter, or at least `maxBytes` of it (a header block without an end). */
  readonly bytes: Buffer;
  /** The whole input again, from its first byte. */
  readonly input: AsyncIterable<Buffer | string>;
}

export async function peekHeaderBlock(
  input: AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<PeekedHeader> {
  const iterator = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  // The end is looked for in the new chunk plus the last bytes before it, so that the work stays
  // linear however small the chunks are (a pipe may deliver one byte at a time).
  let tail = Buffer.alloc(0);
  while (length < maxBytes) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    // A copy: the input may reuse its buffer for the next chunk (src/message/fd-input.ts).
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : Buffer.from(next.value);
    chunks.push(chunk);
    const window = Buffer.concat([tail, chunk]);
    const atStart = length < 2 && headerEnd(Buffer.concat(chunks)) !== undefined;
    length += chunk.length;
    if (atStart || window.includes('\n\n') || window.includes('\n\r\n')) break;
    tail = window.subarray(Math.max(0, window.length - 2));
  }
  const all = Buffer.concat(chunks, length);
  const end = headerEnd(all);
  return {
    bytes: all.subarray(0, Math.min(end ?? all.length, maxBytes)),
    input: replay(chunks, ended ? undefined : iterator),
  };
}

/** Index just past the empty line ending the header block (LF or CRLF line ends). */
export function headerEnd(bytes: Buffer): number | undefined {
  if (bytes[0] === 0x0a) return 1;
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return 2;
  const lf = bytes.indexOf('\n\n');
  const crlf = bytes.indexOf('\n\r\n');
  const ends = [lf === -1 ? Infinity : lf + 2, crlf === -1 ? Infinity : crlf + 3];
  const end = Math.min(...ends);
  return end === Infinity ? undefined : end;
}

async function* replay(
  chunks: readonly Buffer[],
  rest: AsyncIterator<Buffer | string> | undefined,
): AsyncGenerator<Buffer | string> {
  yield* chunks;
  if (rest === undefined) return;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield next.value;
  }
}
