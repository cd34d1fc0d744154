// Header bytes to the text that rules compare: raw 8-bit read as UTF-8 (RFC 6532) or, failing
// that, as Windows-1252 (what Latin-1 mail really is); then RFC 2047 encoded words decoded.
//
// Why not libmime's decodeWords: libmime pulls in iconv-lite and encoding-japanese, whose tables
// cost 50–60 ms at every start (bundled, measured on the 2-core CI machine), twice the whole
// routing budget of issue #5. Node's own ICU (TextDecoder) knows every charset of the WHATWG
// Encoding Standard, which is the set mail clients decode, and costs nothing to load. Pure.
import { Buffer } from 'node:buffer';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Raw header bytes as text: UTF-8 when they are valid UTF-8, Windows-1252 otherwise. */
export function headerText(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return windows1252(bytes);
  }
}

// Windows-1252's 0x80–0x9F (WHATWG Encoding Standard, index-windows-1252); undefined bytes stay
// as the C1 code point, as the standard says. Our own table because Node 20.18.3+ decodes the
// "windows-1252" label as plain Latin-1 (nodejs/node#56542): 0x80 came out U+0080, not "€".
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function windows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** RFC 2047 §2: =?charset?encoding?text?=; §5 forbids white space in it, but mailers put it in
 *  Q text, so the text runs to the next "?=" (as libmime and most readers do). */
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?]*)\?=/g;

/** The text with every encoded word decoded. Never throws; what cannot be decoded stays. */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  let out = '';
  let last = 0;
  // Adjacent words of one charset are joined as bytes before decoding: a mailer may split one
  // multibyte character across two words (RFC 2047 §5 says it must not; some do).
  let pending: { charset: string; bytes: Buffer[] } | undefined;
  const flush = (): void => {
    if (pending !== undefined) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
    pending = undefined;
  };
  for (const match of text.matchAll(ENCODED_WORD)) {
    const [word, rawCharset = '', encoding = '', payload = ''] = match;
    const gap = text.slice(last, match.index);
    // §6.2: white space between two encoded words is not displayed.
    if (pending === undefined || !/^[ \t]*$/.test(gap)) {
      flush();
      out += gap;
    }
    // RFC 2231 §5: a language may follow the charset: =?UTF-8*en?Q?…?=
    const charset = (rawCharset.split('*')[0] ?? '').toLowerCase();
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(payload, 'base64') : qDecode(payload);
    // Not ISO-2022-*: each of its words ends by switching back to ASCII (RFC 1468), and two
    // escape sequences in a row decode as an error (U+FFFD) between the words.
    if (pending !== undefined && (pending.charset !== charset || charset.startsWith('iso-2022'))) flush();
    if (pending === undefined) pending = { charset, bytes: [] };
    pending.bytes.push(bytes);
    last = match.index + word.length;
  }
  flush();
  return out + text.slice(last);
}

/** RFC 2047 §4.2 "Q": "_" is a space, =XX a byte in hex, anything else itself. */
function qDecode(payload: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    const c = payload.charCodeAt(i);
    const hex = c === 0x3d ? payload.slice(i + 1, i + 3) : '';
    if (c === 0x5f) bytes.push(0x20);
    else if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes);
}

/** Bytes in a named charset; a charset ICU does not know (or UTF-7, refused as a filter-evasion
 *  trick) is read as UTF-8, with U+FFFD for what is not UTF-8. */
function decodeCharset(bytes: Buffer, charset: string): string {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    return bytes.toString('utf8');
  }
  // ISO-8859-1, US-ASCII, latin1… are all windows-1252 labels in the Encoding Standard.
  return decoder.encoding === 'windows-1252' ? windows1252(bytes) : decoder.decode(bytes);
}
