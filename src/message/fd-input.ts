// The message as it arrives on a file descriptor (standard input), read chunk by chunk into ONE
// reused buffer: memory stays flat whatever the message size (DESIGN.md guarantee 5). Node's
// process.stdin allocates a new buffer for every read and leaves them to the garbage collector:
// reading 200 MiB through it peaks at about 80 MiB RSS, through one reused buffer at about 45
// (docs/performance.md, "Memory").
//
// Contract: a yielded chunk is a view of the shared buffer and is valid only until the next
// chunk is asked for. Consumers that keep bytes copy them (peekHeaderBlock, FromLineStripper);
// pumpMessage writes each chunk to every file before it asks for the next.
//
// Pipes and sockets (what MTAs give) are read through libuv's event loop (net.Socket with
// `onread`), never with a blocking read(2) in the thread pool: a blocked pool thread would keep
// the process from exiting at the deadline or on SIGTERM (Node joins its pool threads at exit).
// Regular files (`< message.eml`) never block, and are read with fs.read.
import { fstatSync, read } from 'node:fs';
import type { OnReadOpts, SocketConstructorOpts } from 'node:net';
import { loadNet, loadTty } from '../runtime/builtins';

/** A pipe's default capacity on Linux (pipe(7)): one read can empty a full pipe. */
const CHUNK_BYTES = 64 * 1024;

export interface MessageInput {
  /** The message, or undefined when the descriptor is a terminal (no message to read). */
  readonly input: AsyncIterable<Buffer> | undefined;
  /** A pipe or socket: its end may be the writer's death rather than the message's end. */
  readonly stream: boolean;
  /** Reads and discards the rest after a failure, so the MTA does not see a broken pipe. */
  drain(): Promise<void>;
}

type NextChunk = () => Promise<Buffer | undefined>;

// node:net and node:tty are loaded here, not at start-up: together with the stream code they
// pull in they cost about 4 ms, which `check`, --help and --version do not need.
export function fdInput(fd: number): MessageInput {
  const kind = kindOf(fd);
  if (kind === 'device' && loadTty().isatty(fd)) {
    return { input: undefined, stream: false, drain: () => Promise.resolve() };
  }
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const nextChunk = kind === 'stream' ? socketChunks(loadNet().Socket, fd, buffer) : fileChunks(fd, buffer);
  let done = false;
  const next = async (): Promise<IteratorResult<Buffer>> => {
    if (done) return { done: true, value: undefined };
    const chunk = await nextChunk();
    if (chunk === undefined) {
      done = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: chunk };
  };
  return {
    // Not an async generator: a consumer that stops early (return()) must not end the input,
    // so that drain() can still read the rest.
    input: { [Symbol.asyncIterator]: () => ({ next }) },
    stream: kind === 'stream',
    async drain() {
      try {
        while (!done) await next();
      } catch {
        // a read error while discarding changes nothing
      }
    },
  };
}

/** 'stream': a pipe or a socket, what an MTA connects to a command's standard input. */
function kindOf(fd: number): 'stream' | 'device' | 'other' {
  try {
    const stats = fstatSync(fd);
    if (stats.isFIFO() || stats.isSocket()) return 'stream';
    return stats.isCharacterDevice() ? 'device' : 'other'; // a terminal, or /dev/null
  } catch {
    return 'other'; // fs.read will report the problem
  }
}

/** Regular files and devices: fs.read at the current offset, which never blocks for long. */
function fileChunks(fd: number, buffer: Buffer): NextChunk {
  return () =>
    new Promise((resolve, reject) => {
      read(fd, buffer, 0, buffer.length, null, (error, bytesRead) => {
        if (error !== null) reject(error);
        else resolve(bytesRead === 0 ? undefined : buffer.subarray(0, bytesRead));
      });
    });
}

/**
 * Pipes and sockets through libuv: `onread` fills the one buffer, and returning false stops
 * reading until the consumer asks for the next chunk, so the buffer is never overwritten while
 * a chunk is in use, and a slow disk slows the reader instead of filling memory.
 */
function socketChunks(Socket: typeof import('node:net').Socket, fd: number, buffer: Buffer): NextChunk {
  let filled: number | undefined;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  // `onread` is in Node's net.Socket since 12.2 (docs: net.Socket options), but @types/node 20
  // lists it only for connect().
  const options: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer,
      callback: (bytes: number) => {
        filled = bytes;
        notify();
        return false; // pause: the chunk is in use
      },
    },
  };
  const socket = new Socket(options);
  socket.on('end', () => {
    ended = true;
    notify();
  });
  socket.on('error', (error: Error) => {
    failure = error;
    notify();
  });
  socket.resume(); // flowing, so that 'end' is emitted; the data itself only comes to onread
  let handedOut = false;
  return async () => {
    if (handedOut) {
      handedOut = false;
      socket.resume(); // the previous chunk is done with: read on
    }
    while (filled === undefined && !ended && failure === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (filled !== undefined) {
      const chunk = buffer.subarray(0, filled);
      filled = undefined;
      handedOut = true;
      return chunk;
    }
    if (failure !== undefined) throw failure;
    return undefined;
  };
}
