// Looks at the header block while the message streams past, without holding it: it finds the
// Message-ID (for the log) and whether a given header line is already there (the Delivered-To
// loop check, as qmail-local's bouncexf() does). Reads header lines only, up to the first empty
// line; stops after MAX_HEADER_BYTES so a hostile endless header costs nothing more.
import type { MessageSink } from './pump';

/** How much of the header block is looked at. Real headers are a few KiB; 1 MiB is generous. */
const MAX_HEADER_BYTES = 1024 * 1024;
/** Lines longer than this cannot be a Delivered-To line we wrote or a sane Message-ID. */
const MAX_LINE_BYTES = 4096;
const LF = 0x0a;

export interface HeaderScan extends MessageSink {
  /** Whether the header block holds exactly this line (compared without its line end). */
  readonly sawLine: boolean;
  readonly messageId: string | undefined;
}

export function headerScan(wantedLine: string | undefined): HeaderScan {
  const wanted = wantedLine === undefined ? undefined : Buffer.from(wantedLine, 'utf8');
  let seen = 0;
  let done = false;
  let line: Buffer[] = [];
  let lineLength = 0;
  let sawLine = false;
  let messageId: string | undefined;
  let inMessageId = false;

  const endLine = (): void => {
    let text = Buffer.concat(line);
    line = [];
    const tooLong = lineLength > MAX_LINE_BYTES;
    lineLength = 0;
    if (text.at(-1) === 0x0d) text = text.subarray(0, -1);
    if (text.length === 0 && !tooLong) {
      done = true; // the empty line that ends the header block
      return;
    }
    if (tooLong) {
      inMessageId = false;
      return;
    }
    if (wanted !== undefined && text.equals(wanted)) sawLine = true;
    const folded = text[0] === 0x20 || text[0] === 0x09;
    if (folded && inMessageId) {
      messageId = `${messageId ?? ''} ${text.toString('latin1').trim()}`.trim();
      return;
    }
    // Only the first Message-ID header, with its own folded lines, counts.
    inMessageId = !folded && messageId === undefined && /^message-id:/i.test(text.toString('latin1', 0, 11));
    if (inMessageId) messageId = text.toString('latin1').slice(11).trim();
  };

  return {
    write(chunk) {
      let offset = 0;
      while (!done && offset < chunk.length && seen < MAX_HEADER_BYTES) {
        const end = chunk.indexOf(LF, offset);
        const stop = end === -1 ? chunk.length : end;
        const part = chunk.subarray(offset, stop);
        if (lineLength + part.length <= MAX_LINE_BYTES) line.push(Buffer.from(part));
        lineLength += part.length;
        seen += stop - offset + (end === -1 ? 0 : 1);
        offset = stop + 1;
        if (end !== -1) endLine();
      }
      return Promise.resolve();
    },
    get sawLine() {
      return sawLine;
    },
    get messageId() {
      return messageId;
    },
  };
}
