// Header bytes to the text rules compare (README, "Routing"): raw 8-bit bytes as UTF-8 when valid
// (RFC 6532), else Windows-1252; RFC 2047 encoded words decoded in the WHATWG charsets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEncodedWords, headerText } from '../../../src/route/encoded-words';

describe('headerText: raw header bytes', () => {
  /** [title, bytes, text] */
  // prettier-ignore
  const table: [string, number[], string][] = [
    ['ASCII', [0x61, 0x20, 0x62], 'a b'],
    ['empty', [], ''],
    ['valid UTF-8: é', [0x63, 0x61, 0x66, 0xc3, 0xa9], 'café'],
    ['valid UTF-8: a 4-byte character', [0xf0, 0x9f, 0x98, 0x80], '😀'],
    ['valid UTF-8: € (E2 82 AC)', [0xe2, 0x82, 0xac], '€'],
    ['Latin-1: 0xE9 is é', [0x63, 0x61, 0x66, 0xe9], 'café'],
    ['Latin-1: 0xA4 is ¤ (Windows-1252, not ISO-8859-15)', [0xa4], '¤'],
    ['Latin-1: 0xFF is ÿ', [0xff], 'ÿ'],
    ['one invalid byte makes the whole value Windows-1252', [0xc3, 0xa9, 0x20, 0xe9], 'Ã© é'],
    ['a truncated UTF-8 sequence is Windows-1252', [0x61, 0xe2, 0xa2], 'aâ¢'],
    ['an overlong UTF-8 encoding is not UTF-8', [0xc0, 0xaf], 'À¯'],
    ['NUL and control characters are kept', [0x61, 0x00, 0x09, 0x0d, 0x62], 'a\u0000\t\rb'],
    ['a UTF-8 byte order mark at the start is dropped', [0xef, 0xbb, 0xbf, 0x61], 'a'],
  ];
  for (const [title, bytes, text] of table) {
    it(title, () => assert.equal(headerText(Buffer.from(bytes)), text));
  }

  // Found while writing these tests: Node 20.18.3+ (nodejs/node#56542, #60888) decodes the label
  // "windows-1252" as ISO-8859-1, so bytes 0x80–0x9F come out as C1 control characters instead of
  // the Windows-1252 letters the README promises (€, smart quotes, dashes, Œ, Š, Ž, ™, Ÿ).
  // The WHATWG index-windows-1252 for 0x80–0x9F; 0x81, 0x8D, 0x8F, 0x90 and 0x9D stay C1 controls.
  const WINDOWS_1252_80_9F =
    '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
    '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

  it('regression: bytes 0x80–0x9F are the Windows-1252 letters (€ “ ” – — ™ Ÿ …), not C1 control characters', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    assert.equal(headerText(bytes), WINDOWS_1252_80_9F);
    assert.equal(headerText(Buffer.from([0x31, 0x30, 0x80, 0x20, 0x93, 0x61, 0x94])), '10€ “a”');
  });
});

describe('decodeEncodedWords', () => {
  /** [title, header text, decoded] */
  // prettier-ignore
  const table: [string, string, string][] = [
    // encodings
    ['Q', '=?UTF-8?Q?caf=C3=A9?=', 'café'],
    ['B', '=?UTF-8?B?Y2Fmw6k=?=', 'café'],
    ['lower-case q', '=?utf-8?q?caf=C3=A9?=', 'café'],
    ['lower-case b', '=?utf-8?b?Y2Fmw6k=?=', 'café'],
    ['Q: underscore is a space', '=?UTF-8?Q?a_b_c?=', 'a b c'],
    ['Q: =5F is an underscore', '=?UTF-8?Q?a=5Fb?=', 'a_b'],
    ['Q: =20 is a space', '=?UTF-8?Q?a=20b?=', 'a b'],
    ['Q: lower-case hex', '=?UTF-8?Q?caf=c3=a9?=', 'café'],
    ['Q: =3D and =3F', '=?UTF-8?Q?a=3Db=3F?=', 'a=b?'],
    ['Q: "=" not followed by two hex digits stays', '=?UTF-8?Q?a=ZZb=?=', 'a=ZZb='],
    ['Q: a space inside the text (mailers do it)', '=?UTF-8?Q?a b?=', 'a b'],
    ['B without padding', '=?UTF-8?B?Y2Fmw6k?=', 'café'],
    ['empty text', '=?UTF-8?Q??=', ''],
    // charsets
    ['ISO-8859-1', '=?ISO-8859-1?Q?caf=E9?=', 'café'],
    ['ISO-8859-1 in B', '=?iso-8859-1?B?Y2Fm6Q==?=', 'café'],
    ['ISO-8859-2', '=?ISO-8859-2?Q?=A3=F3d=BC?=', 'Łódź'],
    ['ISO-8859-15: 0xA4 is €', '=?ISO-8859-15?Q?=A4?=', '€'],
    ['Windows-1252: é', '=?Windows-1252?Q?caf=E9?=', 'café'],
    ['KOI8-R', '=?KOI8-R?B?8NLJ18XU?=', 'Привет'],
    ['Shift_JIS', '=?Shift_JIS?B?g2WDWINn?=', 'テスト'],
    ['ISO-2022-JP', '=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=', 'テスト'],
    ['EUC-JP', '=?EUC-JP?Q?=A5=C6=A5=B9=A5=C8?=', 'テスト'],
    ['GB2312 (read as GBK)', '=?GB2312?Q?=D6=D0=CE=C4?=', '中文'],
    ['GBK', '=?GBK?Q?=D6=D0=CE=C4?=', '中文'],
    ['Big5', '=?Big5?Q?=A4=A4=A4=E5?=', '中文'],
    ['EUC-KR', '=?EUC-KR?Q?=C7=D1=B1=B9?=', '한국'],
    ['ks_c_5601-1987 (Outlook\'s name for EUC-KR)', '=?ks_c_5601-1987?Q?=C7=D1=B1=B9?=', '한국'],
    ['UTF-16LE', '=?UTF-16LE?B?YQBiAA==?=', 'ab'],
    ['charset name in any case', '=?uTf-8?Q?=C3=A9?=', 'é'],
    ['RFC 2231 language suffix', '=?UTF-8*en?Q?caf=C3=A9?=', 'café'],
    ['RFC 2231 language suffix with a region', '=?ISO-8859-1*fr-CA?Q?caf=E9?=', 'café'],
    ['an unknown charset is read as UTF-8', '=?x-unknown?Q?caf=C3=A9?=', 'café'],
    ['an unknown charset, bytes not UTF-8: U+FFFD', '=?x-unknown?Q?caf=E9?=', 'caf\ufffd'],
    // UTF-7 would turn "+AFs-macos+AF0-" into "[macos]": a way around filters, not decoded as such.
    ['UTF-7 is not decoded as UTF-7', '=?UTF-7?Q?+AFs-macos+AF0-?=', '+AFs-macos+AF0-'],
    ['UTF-7 in B is not decoded as UTF-7', '=?utf-7?B?K0FGcy1tYWNvcytBRjAt?=', '+AFs-macos+AF0-'],
    // adjacent words
    ['a multibyte character split across two Q words', '=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC?=', '€'],
    ['a multibyte character split across two B words', '=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=', '€'],
    ['split across words of one charset named in two cases', '=?UTF-8?Q?=E2=82?= =?utf-8?Q?=AC?=', '€'],
    ['a Shift_JIS character split across two words', '=?Shift_JIS?Q?=83?= =?Shift_JIS?Q?=65?=', 'テ'],
    ['white space between adjacent words is dropped', '=?UTF-8?Q?a?= =?UTF-8?Q?b?=', 'ab'],
    ['tabs and spaces between adjacent words are dropped', '=?UTF-8?Q?a?= \t  =?UTF-8?Q?b?=', 'ab'],
    ['adjacent words without white space', '=?UTF-8?Q?a?==?UTF-8?Q?b?=', 'ab'],
    ['white space between words of two charsets is dropped', '=?ISO-8859-1?Q?=E9?= =?UTF-8?Q?=C3=A9?=', 'éé'],
    ['a space encoded in the word is kept', '=?UTF-8?Q?a_?= =?UTF-8?Q?b?=', 'a b'],
    ['white space between a word and text is kept', '=?UTF-8?Q?a?= b', 'a b'],
    ['white space between text and a word is kept', 'Re: =?UTF-8?Q?caf=C3=A9?=', 'Re: café'],
    ['text between two words is kept', '=?UTF-8?Q?a?= and =?UTF-8?Q?b?=', 'a and b'],
    ['three words and text around them', '[x] =?UTF-8?Q?a?= =?UTF-8?Q?b?=  =?UTF-8?Q?c?= done', '[x] abc done'],
    ['leading and trailing white space kept (trimming is header-view\'s)', ' =?UTF-8?Q?a?= ', ' a '],
    // malformed words stay as they are
    ['an unknown encoding X', '=?UTF-8?X?abc?=', '=?UTF-8?X?abc?='],
    ['no closing ?=', '=?UTF-8?Q?abc', '=?UTF-8?Q?abc'],
    ['no charset', '=??Q?abc?=', '=??Q?abc?='],
    ['no encoding', '=?UTF-8??abc?=', '=?UTF-8??abc?='],
    ['white space in the charset', '=?UTF 8?Q?abc?=', '=?UTF 8?Q?abc?='],
    ['a lone =?', 'a =? b', 'a =? b'],
    ['a malformed word beside a good one', '=?UTF-8?X?a?= =?UTF-8?Q?b?=', '=?UTF-8?X?a?= b'],
    // no encoded word
    ['plain text', 'Hello, world', 'Hello, world'],
    ['plain text with ?=', 'a ?= b', 'a ?= b'],
    ['empty', '', ''],
  ];
  for (const [title, text, decoded] of table) {
    it(`${title}: ${JSON.stringify(text)} → ${JSON.stringify(decoded)}`, () =>
      assert.equal(decodeEncodedWords(text), decoded));
  }

  it('text without "=?" is returned unchanged, as the same string', () => {
    for (const text of ['plain', '', 'a ?= b', 'caf\u00e9 \ud83d\ude00', '=\u0000?']) {
      assert.equal(decodeEncodedWords(text), text);
    }
  });

  it('never throws, whatever the input', () => {
    const pieces = ['=?', '?=', '?Q?', '?B?', 'UTF-8', 'x-bad', '=E2', '_', ' ', '\t', '*', 'YQ', '=', '?'];
    let seed = 1;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: random(12) }, () => pieces[random(pieces.length)]!).join('');
      assert.doesNotThrow(() => decodeEncodedWords(text), JSON.stringify(text));
    }
  });

  // The Node bug above again (see headerText): Windows-1252, and ISO-8859-1, which the WHATWG
  // Encoding Standard (and every mail reader) decodes as Windows-1252.
  it('regression: =?Windows-1252?Q?=80?= and =?ISO-8859-1?Q?=80?= are €, not a C1 control character', () => {
    assert.equal(decodeEncodedWords('=?Windows-1252?Q?=93=80=94?='), '“€”');
    assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?10=80?='), '10€');
  });
});
