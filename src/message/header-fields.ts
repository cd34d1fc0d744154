// The header block split into fields (RFC 5322 §2.2), unfolded (§2.2.3), values still as bytes:
// decoding them is routing's business (src/route/). Tolerant, as a delivery agent must be: a
// line that is neither a field nor a continuation is skipped, never an error. Pure.
import { Buffer } from 'node:buffer';
import { headerEnd } from './header-block';

export interface HeaderField {
  /** The field name as it appears, e.g. "Subject". */
  readonly name: string;
  /** Everything after the colon, unfolded (line ends before white space removed), not trimmed. */
  readonly value: Buffer;
}

/** RFC 5322 §3.6.8 field name, and obs-header's white space before the colon (§4.5). */
const FIELD = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;

export function headerFields(block: Buffer): HeaderField[] {
  let start = 0;
  // An mbox From_ line is not a header field (Postfix and Exim may put one first).
  if (block.subarray(0, 5).toString('latin1') === 'From ') {
    const lf = block.indexOf(0x0a);
    start = lf === -1 ? block.length : lf + 1;
  }
  const rest = block.subarray(start);
  const end = headerEnd(rest) ?? rest.length;
  const fields: { name: string; parts: Buffer[] }[] = [];
  let current: { name: string; parts: Buffer[] } | undefined;
  for (let at = 0; at < end;) {
    const lf = rest.indexOf(0x0a, at);
    const stop = lf === -1 || lf >= end ? end : lf;
    let line = rest.subarray(at, stop);
    at = stop + 1;
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    if (line.length === 0) break;
    if (line[0] === 0x20 || line[0] === 0x09) {
      current?.parts.push(line); // a folded continuation: the line end goes, the white space stays
      continue;
    }
    const match = FIELD.exec(line.toString('latin1', 0, Math.min(line.length, 1000)));
    if (match?.[1] === undefined) {
      current = undefined; // not a field: ignore it and anything folded under it
      continue;
    }
    current = { name: match[1], parts: [line.subarray(match[0].length)] };
    fields.push(current);
  }
  return fields.map((field) => ({ name: field.name, value: Buffer.concat(field.parts) }));
}
