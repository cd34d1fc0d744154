// Header text built from the environment, made safe (DESIGN.md, Security): SENDER, RECIPIENT,
// RPLINE and DTLINE come from the envelope of a message from anyone on the Internet
// ("These environment variables are not quoted", qmail-command(8)). A CR or LF in them would
// let a sender forge extra header lines; other control characters have no place in a header.
// Pure.

/** RFC 5322 §2.1.1: a line must be no longer than 998 characters. */
const MAX_LINE = 998;

/**
 * The value with every control character (C0, DEL and C1; CR and LF included) replaced by "_",
 * as qmail-local does with newlines in RPLINE, and cut at a character boundary so that it takes
 * at most `room` octets in UTF-8 (RFC 6532 §3.4 counts the 998 in octets).
 */
export function sanitizeHeaderValue(value: string, room = MAX_LINE): string {
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '_');
  if (Buffer.byteLength(clean, 'utf8') <= room) return clean;
  let kept = '';
  let octets = 0;
  for (const character of clean) {
    const size = Buffer.byteLength(character, 'utf8');
    if (octets + size > room) break;
    kept += character;
    octets += size;
  }
  return kept;
}

/** A header line "Name: value\n" with a sanitised value. */
export function headerLine(name: string, value: string): string {
  return `${name}: ${sanitizeHeaderValue(value, MAX_LINE - name.length - 2)}\n`;
}

/**
 * qmail's RPLINE/DTLINE ("Return-Path: <x>\n"): one header line of the expected name, or
 * undefined if the variable does not look like one.
 */
export function qmailLine(line: string | undefined, name: string): string | undefined {
  if (line === undefined) return undefined;
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  const prefix = `${name}: `;
  if (!body.startsWith(prefix)) return undefined;
  return headerLine(name, body.slice(prefix.length));
}
