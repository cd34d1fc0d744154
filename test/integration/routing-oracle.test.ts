// Issue #5: "Misroute never happens in a 1,000-message randomized routing test against an
// independent oracle." A seeded generator builds 10 configs of 4–8 targets with random `match`
// rules and 100 messages for each; routing_oracle.py (Python's email package, codecs, fnmatch
// and re; no code shared with src/) says which targets must get each message, per README.md
// "Routing". All 1,000 are routed in-process exactly as a delivery routes them (parseConfig,
// then routeStep over the message in random chunks) and must agree with the oracle on every
// one; 150 of them are also delivered through the built CLI, and each maildir must hold exactly
// the messages the oracle sent there. Replay a failure with ROUTING_SEED=<seed>.
//
// Rules: any/all/not nested up to depth 4 over header tests (Subject, List-Id, X-Git-Repo,
// X-Git-Refname, X-Svn-Commit-Project, X-Launchpad-Branch, Received, and From/To/Cc as text)
// and address tests (From/To/Cc), with equals, contains, glob, regex and exists, field names in
// any case, sometimes caseSensitive; sometimes a target without a rule; every unmatched policy.
// Messages: fields in random order, names in random case, repeated fields, LF or CRLF, folding
// (space or tab), an mbox From_ line, raw UTF-8 and raw Windows-1252, RFC 2047 words (Q and B,
// adjacent, in 15 charsets and unknown ones, RFC 2231 language suffixes), address lists with
// plain, quoted (with escapes) and encoded display names, groups (empty ones too) and nested
// comments, empty fields, trailing white space, messages without a body or a final line end,
// and a body that would route the message elsewhere if it were read as header.
//
// What the generator keeps out, because there the two implementations may rightly differ (RFC
// semantics are ambiguous, or JavaScript and Python disagree on purpose), so a disagreement
// would say nothing about misrouting:
// - Regular expressions: only literals, escaped syntax characters, `.`, the classes [a-z],
//   [0-9] and [a-z0-9-], (?:…|…), the quantifiers ? * + and the anchors ^ $. No \b \w \s \d
//   (ASCII in JavaScript, Unicode in Python), no \p{…} (Python has none), no lookbehind,
//   backreferences or named groups, no lone { } ] (errors in JavaScript's `u` mode only), no
//   class with a non-ASCII member (case-insensitive classes differ in corner cases).
// - Case: letters are ASCII, Latin-1 letters but µ ÿ ß (µ folds to Greek mu, ÿ and ß have no
//   Latin-1 upper case), Œ/œ, Greek Ω/ω and Cyrillic; no σ/ς/Σ, İ/ı, K (Kelvin), ſ, Å
//   (Angstrom), whose simple case folding (JavaScript's `iu`) and Python's lower() and
//   re.IGNORECASE treat differently.
// - Globs: no backslash escapes and no [^…] (fnmatch has neither: it reads them literally), no
//   reversed range or unclosed [ (errors here, literals in fnmatch), ranges of digits or of one
//   letter case only (the oracle lowers pattern and value), no set starting with ! ^ or ].
// - RFC 2047: encoded words only as whole tokens between white space (RFC 2047 §5; readers
//   differ on words touching text), no multibyte character split across words (§5 forbids
//   it), no us-ascii label (email.header merges it into the plain text beside it), no raw 8-bit
//   text in a field that also has encoded words (decode_header cannot mix them), only the
//   characters on which Node's ICU, WHATWG and Python agree (Node decodes Big5 Cyrillic to
//   nothing and EUC-KR's euro sign to U+FFFD).
// - Raw 8-bit: never the five bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D:
//   WHATWG maps them to C1 controls, Python refuses them); no UTF-8 BOM.
// - Header syntax: every header line is a field or a continuation (Python's parser ends the
//   header at the first other line, the implementation skips it), no white space before the
//   colon, no continuation line of white space only, no bare CR; values never start or end in
//   non-ASCII white space (JavaScript's trim and Python's strip differ on U+FEFF, U+001C–F).
// - Addresses: dot-atom local parts (no quoted local part, domain literal or route), display
//   names as atoms, quoted strings or encoded words (never inside quotes), comments only after
//   an address, no malformed lists (nodemailer and getaddresses recover from those differently).
// - Size: headers far below the 256 KiB that routing reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config/parse';
import type { Config } from '../../src/config/types';
import { routeStep } from '../../src/delivery/route-step';
import type { RoutePlan } from '../../src/route/route';
import { listMaildir, readNew, runCli, sandbox, type RunResult, type Sandbox } from './harness';
import { mulberry32 } from './seeded-random';

const DEFAULT_SEED = 0x5eed0005;
const SEED = seedFrom(process.env.ROUTING_SEED);
const CONFIGS = 10;
const MESSAGES_PER_CONFIG = 100;
/** Of each config's messages, how many also go through the CLI (150 in all)... */
const CLI_PER_CONFIG = 15;
/** ...of which at most this many that no rule accepts, so that every policy is exercised. */
const CLI_UNMATCHED_PER_CONFIG = 5;
const CLI_PARALLEL = 4;
/** Foreign messages per config that every rule must leave alone (when no target lacks a rule). */
const QUIET_MESSAGES = 4;
const ORACLE = resolve(__dirname, '../../../test/integration/routing_oracle.py');
const REPLAY = `seed ${SEED} (replay with ROUTING_SEED=${SEED})`;

function seedFrom(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`ROUTING_SEED must be an integer, not ${text}`);
  return seed >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32, small and seedable
// (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c).

class Random {
  /** A float in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: small, so that rules match often; messages and rules draw from the same words.

interface Project {
  readonly name: string;
  /** ASCII form, for list ids and host names. */
  readonly slug: string;
  readonly domain: string;
}

// prettier-ignore
const PROJECTS: readonly Project[] = [
  { name: 'gstreamer', slug: 'gstreamer', domain: 'freedesktop.org' },
  { name: 'gst-plugins-base', slug: 'gstreamer', domain: 'freedesktop.org' },
  { name: 'mesa', slug: 'mesa', domain: 'freedesktop.org' },
  { name: 'kernel', slug: 'linux-kernel', domain: 'kernel.org' },
  { name: 'macos', slug: 'macos-ci', domain: 'example.com' },
  { name: 'buildbot', slug: 'buildbot', domain: 'buildbot.net' },
  { name: 'café', slug: 'cafe', domain: 'example.fr' },
  { name: 'жук', slug: 'zhuk', domain: 'example.ru' },
  { name: 'œuvre', slug: 'oeuvre', domain: 'example.be' },
];
/** Mail that is about none of the projects: most rules should let it through to `unmatched`. */
const FOREIGN: Project = { name: 'announce', slug: 'announce', domain: 'example.net' };

const SUBJECT_PREFIXES = ['', 'Re: ', 'RE: ', 'Fwd: ', '[PATCH] ', '[RFC] ', 'WIP: ', '[PATCH v2 1/3] '];
const VERBS = ['commit', 'push', 'Merge branch', 'build failed', 'new tag'];
// prettier-ignore
const WORDS = ['fix', 'naïve', 'Übersicht', 'façade', 'smörgåsbord', 'ΩMEGA', 'жук', '日本語', '🚀', 'don’t',
  '€5', 'œuvre'];
/** The words whose decoding can go wrong: 8-bit in every charset the generator uses. */
const FOCUS_WORDS = [...new Set([...WORDS, 'café', 'жук', 'œuvre'])].filter((word) => !isAscii(word));
/** The non-ASCII words of display names. */
const NAME_WORDS = ['Jörg', 'Müller', 'Ωmega', 'Renée', 'жук', 'бот', 'O’Brien', 'Seán'];
const FOREIGN_SUBJECTS = ['Meeting notes', 'Hello', 'Lunch on Friday?', 'Ωmega newsletter', 'Réunion'];
const SUBREPOS = ['core', 'docs', 'ci-tools'];
// prettier-ignore
const REFNAMES = ['refs/heads/main', 'refs/heads/master', 'refs/heads/release-1.22', 'refs/tags/v1.2.3',
  'refs/heads/feature/ünïcode', 'refs/heads/WIP/Test'];
const BRANCHES = ['trunk', 'stable', 'devel'];
const USERS = ['dev', 'jane.doe', 'Jane.Doe', 'torvalds', 'ci-bot', 'noreply', 'o.brien', 'jörg'];
const ASCII_USERS = USERS.filter(isAscii);
// prettier-ignore
const DISPLAY_NAMES = ['Jane Doe', 'Doe, Jane', 'Jörg Müller', 'Ωmega Bot', 'CI Bot', 'J. R. Dev', 'Renée @ Ops',
  'жук бот', 'Jane "JD" Doe', 'O’Brien, Seán'];
const COMMENTS = ['work', 'CI', 'via list', 'home office', 'via (nested) list'];
const GROUP_NAMES = ['team', 'ops', 'undisclosed-recipients'];

const HEADER_FAMILIES = [
  'Subject',
  'List-Id',
  'X-Git-Repo',
  'X-Git-Refname',
  'X-Svn-Commit-Project',
  'X-Launchpad-Branch',
  'Received',
] as const;
type HeaderFamily = (typeof HEADER_FAMILIES)[number];
const ADDRESS_FIELDS = ['From', 'To', 'Cc'] as const;

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

// ---------------------------------------------------------------------------------------------
// Charsets: the bytes of a text in each charset an encoded word (or a raw 8-bit field) may use,
// for the characters of the vocabulary only. Tables checked against both Python's codecs and
// Node's TextDecoder; Node's ICU lacks some WHATWG mappings (Big5 Cyrillic, EUC-KR's euro
// sign), so the tables leave those out.

type Encoder = (text: string) => Buffer | undefined;

/** ASCII as itself, and the table's characters ("жd6 уd5": ж is the byte 0xd6). */
function tableEncoder(table: string): Encoder {
  const map = new Map(
    table.split(' ').map((entry) => [entry.slice(0, 1), Buffer.from(entry.slice(1), 'hex')]),
  );
  return (text) => {
    const out: number[] = [];
    for (const c of Array.from(text)) {
      const code = c.codePointAt(0) ?? 0;
      const bytes = code < 0x80 ? [code] : map.get(c);
      if (bytes === undefined) return undefined;
      out.push(...bytes);
    }
    return Buffer.from(out);
  };
}

/** Windows-1252 (WHATWG's meaning of "ISO-8859-1" too): Latin-1 but its C1 range, plus the
 *  printable 0x80–0x9F characters of the vocabulary; never the five bytes it leaves undefined
 *  (0x81 0x8d 0x8f 0x90 0x9d: WHATWG maps them to C1 controls, Python's cp1252 refuses them). */
const CP1252_EXTRA = new Map([
  ['€', 0x80],
  ['Œ', 0x8c],
  ['’', 0x92],
  ['–', 0x96],
  ['œ', 0x9c],
]);
const windows1252: Encoder = (text) => {
  const out: number[] = [];
  for (const c of Array.from(text)) {
    const code = c.codePointAt(0) ?? 0;
    const byte = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : CP1252_EXTRA.get(c);
    if (byte === undefined) return undefined;
    out.push(byte);
  }
  return Buffer.from(out);
};

/** ISO-8859-15: Latin-1 but for eight code points, among them € œ Œ. */
const iso885915: Encoder = (text) => {
  const changed = new Map([
    ['€', 0xa4],
    ['œ', 0xbd],
    ['Œ', 0xbc],
  ]);
  const out: number[] = [];
  for (const c of Array.from(text)) {
    const code = c.codePointAt(0) ?? 0;
    const latin =
      (code < 0x80 || code >= 0xa0) &&
      code <= 0xff &&
      ![0xa4, 0xa6, 0xa8, 0xb4, 0xb8, 0xbc, 0xbd, 0xbe].includes(code);
    const byte = latin ? code : changed.get(c);
    if (byte === undefined) return undefined;
    out.push(byte);
  }
  return Buffer.from(out);
};

// prettier-ignore
const EUC_JP = 'жa7d8 уa7e5 кa7dc бa7d2 оa7e0 тa7e4 Жa7a8 Уa7b5 Кa7ac Бa7a2 Оa7b0 Тa7b4 Ωa6b8 ωa6d8 日c6fc 本cbdc 語b8ec';

/** ISO-2022-JP (RFC 1468): JIS X 0208 runs between ESC $ B and ESC ( B, each word ending in ASCII. */
const iso2022jp: Encoder = (text) => {
  const euc = tableEncoder(EUC_JP);
  const out: number[] = [];
  let jis = false;
  for (const c of Array.from(text)) {
    const ascii = (c.codePointAt(0) ?? 0) < 0x80;
    if (ascii === jis) out.push(0x1b, ...(jis ? [0x28, 0x42] : [0x24, 0x42]));
    jis = !ascii;
    const bytes = euc(c);
    if (bytes === undefined) return undefined;
    out.push(...(ascii ? bytes : bytes.map((byte) => byte & 0x7f)));
  }
  if (jis) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
};

interface WordCharset {
  /** Labels as mailers write them (WHATWG labels, any case). */
  readonly labels: readonly string[];
  readonly encode: Encoder;
}

const UTF8: WordCharset = {
  labels: ['UTF-8', 'utf-8', 'Utf-8', 'utf8'],
  encode: (text) => Buffer.from(text),
};
// prettier-ignore
const WORD_CHARSETS: readonly WordCharset[] = [
  UTF8,
  { labels: ['ISO-8859-1', 'iso-8859-1', 'latin1', 'windows-1252'], encode: windows1252 },
  { labels: ['ISO-8859-15'], encode: iso885915 },
  { labels: ['KOI8-R', 'koi8-r'], encode: tableEncoder('жd6 уd5 кcb бc2 оcf тd4 Жf6 Уf5 Кeb Бe2 Оef Тf4') },
  { labels: ['ISO-8859-5'], encode: tableEncoder('жd6 уe3 кda бd1 оde тe2 Жb6 Уc3 Кba Бb1 Оbe Тc2') },
  { labels: ['windows-1251'], encode: tableEncoder('жe6 уf3 кea бe1 оee тf2 Жc6 Уd3 Кca Бc1 Оce Тd2') },
  { labels: ['ISO-8859-7'], encode: tableEncoder('Ωd9 ωf9') },
  { labels: ['Shift_JIS'], encode: tableEncoder('ж8477 у8485 к847b б8471 о8480 т8484 Ж8447 У8454 К844b Б8441 О844f Т8453 Ω83b6 ω83d6 日93fa 本967b 語8cea') },
  { labels: ['EUC-JP'], encode: tableEncoder(EUC_JP) },
  { labels: ['ISO-2022-JP', 'iso-2022-jp'], encode: iso2022jp },
  { labels: ['GBK'], encode: tableEncoder('жa7d8 уa7e5 кa7dc бa7d2 оa7e0 тa7e4 Жa7a8 Уa7b5 Кa7ac Бa7a2 Оa7b0 Тa7b4 Ωa6b8 ωa6d8 日c8d5 本b1be 語d55a') },
  { labels: ['Big5'], encode: tableEncoder('Ωa35b ωa373 日a4e9 本a5bb 語bb79') },
  { labels: ['EUC-KR'], encode: tableEncoder('жacd8 уace5 кacdc бacd2 оace0 тace4 Жaca8 Уacb5 Кacac Бaca2 Оacb0 Тacb4 Ωa5d8 ωa5f8 日eced 本dce2 語e5de') },
  // README: "an unknown charset is read as UTF-8".
  { labels: ['x-unknown', 'X-Nonsense-8'], encode: UTF8.encode },
];

/** Text that raw Windows-1252 bytes can carry (and that is not valid UTF-8 as such). */
function isWindows1252(text: string): boolean {
  return windows1252(text) !== undefined;
}

/** Random case: as is, upper, lower or mixed. Only for text whose case mappings are 1:1. */
function vary(rnd: Random, text: string): string {
  const r = rnd.next();
  let out: string;
  if (r < 0.5) out = text;
  else if (r < 0.7) out = text.toUpperCase();
  else if (r < 0.85) out = text.toLowerCase();
  else
    out = Array.from(text)
      .map((c) => (rnd.chance(0.5) ? c.toUpperCase() : c.toLowerCase()))
      .join('');
  if (Array.from(out).length !== Array.from(text).length) throw new Error(`vocabulary: ${text}`);
  return out;
}

function otherProject(rnd: Random, main: Project): Project {
  return main === FOREIGN || rnd.chance(0.8) ? main : rnd.pick(PROJECTS);
}

/** A value of a header family, as a message would have it (logical text, before encoding). */
function headerSample(rnd: Random, family: HeaderFamily, p: Project): string {
  switch (family) {
    case 'Subject': {
      if (p === FOREIGN) return `${rnd.pick(SUBJECT_PREFIXES)}${rnd.pick(FOREIGN_SUBJECTS)}`;
      const words = Array.from({ length: 2 + rnd.int(3) }, () => vary(rnd, rnd.pick(WORDS)));
      const tag = rnd.chance(0.8) ? `[${vary(rnd, p.name)}]` : `${vary(rnd, p.name)}:`;
      return `${rnd.pick(SUBJECT_PREFIXES)}${tag} ${rnd.pick(VERBS)} ${words.join(' ')}`;
    }
    case 'List-Id': {
      const id = `<${p.slug}-commits.${rnd.chance(0.5) ? 'lists.' : ''}${p.domain}>`;
      return rnd.chance(0.6) ? `${vary(rnd, p.name)} commits ${id}` : id;
    }
    case 'X-Git-Repo':
      return rnd.chance(0.6)
        ? vary(rnd, p.name)
        : rnd.chance(0.5)
          ? `${p.name}/${rnd.pick(SUBREPOS)}`
          : `${p.slug}.git`;
    case 'X-Git-Refname':
      return rnd.pick(REFNAMES);
    case 'X-Svn-Commit-Project':
      return vary(rnd, p.name);
    case 'X-Launchpad-Branch':
      return `~${rnd.pick(ASCII_USERS)}/${p.slug}/${rnd.pick(BRANCHES)}`;
    case 'Received': {
      const id = rnd.int(0xffffffff).toString(16).toUpperCase();
      return (
        `from mail.${p.domain} (mail.${p.domain} [192.0.2.${rnd.int(256)}]) by mx.example.net ` +
        `(Postfix) with ESMTPS id ${id}; Mon, 1 Jan 2024 12:00:00 +0000`
      );
    }
  }
}

/** An addr-spec, as a message would have it. */
function addressSample(rnd: Random, p: Project): string {
  const domain = rnd.pick([p.domain, p.domain, `lists.${p.domain}`, 'example.org']);
  return `${vary(rnd, rnd.pick(USERS))}@${rnd.chance(0.8) ? domain : domain.toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------
// Messages: the logical text above, encoded the ways mail is (raw UTF-8, raw Windows-1252, RFC
// 2047 words), folded, in random order and case, with repeated fields and a body that would
// match.

interface Wire {
  /** The field value as written, 8-bit text still as characters. */
  readonly text: string;
  /** How those characters become bytes. */
  readonly charset: 'utf8' | 'windows-1252';
}

function wireBytes(text: string, charset: Wire['charset']): Buffer {
  const bytes = charset === 'utf8' ? Buffer.from(text) : windows1252(text);
  if (bytes === undefined) throw new Error(`generator: not Windows-1252: ${text}`);
  return bytes;
}

/** A charset label for an encoded word of `text`: UTF-8 half the time, else another charset
 *  that has every character. */
function wordCharset(rnd: Random, text: string): string {
  const able = WORD_CHARSETS.filter((charset) => charset.encode(text) !== undefined);
  const chosen = rnd.chance(0.5) ? UTF8 : rnd.pick(able);
  // RFC 2231 §5: a language may follow the charset.
  return `${rnd.pick(chosen.labels)}${rnd.chance(0.05) ? rnd.pick(['*en', '*fr', '*ja']) : ''}`;
}

/** `text` as one encoded word, Q or B. */
function encodedWord(rnd: Random, text: string, charset = wordCharset(rnd, text)): string {
  const bytes = WORD_CHARSETS.find((c) => c.labels.includes(charset.split('*')[0]!))!.encode(text)!;
  if (rnd.chance(0.5)) return `=?${charset}?${rnd.pick(['B', 'b'])}?${bytes.toString('base64')}?=`;
  let payload = '';
  for (const byte of bytes) {
    const c = String.fromCharCode(byte);
    if (byte === 0x20 && rnd.chance(0.7)) payload += '_';
    else if (/^[A-Za-z0-9]$/.test(c)) payload += c;
    else {
      const hex = byte.toString(16).padStart(2, '0');
      payload += `=${rnd.chance(0.9) ? hex.toUpperCase() : hex}`;
    }
  }
  return `=?${charset}?${rnd.pick(['Q', 'q'])}?${payload}?=`;
}

/** The text cut into 1–3 non-empty pieces at code point boundaries. */
function pieces(rnd: Random, text: string): string[] {
  const chars = Array.from(text);
  const count = Math.min(chars.length, 1 + rnd.int(3));
  const cuts = new Set<number>();
  while (cuts.size < count - 1) cuts.add(1 + rnd.int(chars.length - 1));
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), chars.length];
  return bounds.slice(1).map((end, i) => chars.slice(bounds[i], end).join(''));
}

/** Text as 1–3 adjacent encoded words: often of one charset, as mailers split a long text,
 *  else each in its own. */
function encodedWords(rnd: Random, text: string): string[] {
  const shared = rnd.chance(0.6) ? wordCharset(rnd, text) : undefined;
  return pieces(rnd, text).map((piece) => encodedWord(rnd, piece, shared ?? wordCharset(rnd, piece)));
}

/** Some whole space-separated tokens (all the non-ASCII ones) as adjacent encoded words. */
function encodeSome(rnd: Random, text: string): string {
  const tokens = text.split(' ');
  const foreign = tokens.flatMap((token, i) => (isAscii(token) ? [] : [i]));
  let from = rnd.int(tokens.length);
  let to = from + 1 + rnd.int(tokens.length - from);
  if (foreign.length > 0) {
    from = Math.min(from, foreign[0]!);
    to = Math.max(to, foreign.at(-1)! + 1);
  }
  const words = encodedWords(rnd, tokens.slice(from, to).join(' '));
  const joined = words.reduce((out, word) => `${out}${rnd.pick([' ', ' ', '  ', '\t'])}${word}`);
  return [...tokens.slice(0, from), joined, ...tokens.slice(to)].join(' ');
}

/** An unstructured value on the wire: plain, raw 8-bit or partly encoded. */
function renderText(rnd: Random, text: string): Wire {
  const r = rnd.next();
  if (isAscii(text)) return { text: r < 0.75 ? text : encodeSome(rnd, text), charset: 'utf8' };
  if (r < 0.3) return { text, charset: 'utf8' };
  if (r < 0.5 && isWindows1252(text)) return { text, charset: 'windows-1252' };
  return { text: encodeSome(rnd, text), charset: 'utf8' };
}

interface Mailbox {
  readonly address: string;
  readonly name: string | undefined;
  readonly comment: string | undefined;
  readonly angle: boolean;
}
type AddressEntry = Mailbox | { readonly group: string; readonly members: readonly Mailbox[] };

function mailbox(rnd: Random, p: Project): Mailbox {
  const named = rnd.chance(0.55);
  return {
    address: addressSample(rnd, otherProject(rnd, p)),
    name: named ? rnd.pick(DISPLAY_NAMES) : undefined,
    comment: rnd.chance(0.15) ? rnd.pick(COMMENTS) : undefined,
    angle: named || rnd.chance(0.3),
  };
}

/** An address list on the wire; display names raw (quoted where needed) or as encoded words. */
function renderAddresses(rnd: Random, entries: readonly AddressEntry[]): Wire {
  const all = entries.flatMap((e) => ('group' in e ? e.members : [e]));
  const names = all.flatMap((m) => (m.name === undefined ? [] : [m.name]));
  const rawOnly = all.some((m) => !isAscii(m.address)); // an 8-bit local part cannot be encoded
  const mode = rawOnly
    ? 'utf8'
    : rnd.pick(
        names.every(isWindows1252)
          ? (['utf8', 'windows-1252', 'encoded'] as const)
          : (['utf8', 'encoded'] as const),
      );
  const phrase = (name: string): string => {
    if (mode === 'encoded' && (!isAscii(name) || rnd.chance(0.2))) {
      return encodedWords(rnd, name).join(' ');
    }
    return /^[\p{L}\p{N} ]+$/u.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
  };
  const one = (m: Mailbox): string => {
    const spec = m.angle ? `<${m.address}>` : m.address;
    const named = m.name === undefined ? spec : `${phrase(m.name)} ${spec}`;
    return m.comment === undefined ? named : `${named} (${m.comment})`;
  };
  const text = entries
    .map((e) => ('group' in e ? `${e.group}:${e.members.map((m) => ` ${one(m)}`).join(',')};` : one(e)))
    .join(', ');
  return { text, charset: mode === 'windows-1252' ? mode : 'utf8' };
}

function addressField(rnd: Random, p: Project): Wire {
  const entries = Array.from({ length: 1 + rnd.int(3) }, (): AddressEntry => {
    if (!rnd.chance(0.15)) return mailbox(rnd, p);
    const members = Array.from({ length: rnd.int(3) }, () => mailbox(rnd, p));
    return { group: members.length === 0 ? 'undisclosed-recipients' : rnd.pick(GROUP_NAMES), members };
  });
  return renderAddresses(rnd, entries);
}

/** Field name in random case. */
function nameCase(rnd: Random, name: string): string {
  const r = rnd.next();
  if (r < 0.6) return name;
  if (r < 0.75) return name.toLowerCase();
  if (r < 0.9) return name.toUpperCase();
  return Array.from(name)
    .map((c) => (rnd.chance(0.5) ? c.toUpperCase() : c.toLowerCase()))
    .join('');
}

/** "Name: value" with the line end `eol`, folded at some spaces (never two folds in a row). */
function fieldBytes(rnd: Random, name: string, wire: Wire, eol: string): Buffer {
  let value = '';
  for (let i = 0; i < wire.text.length; i++) {
    const c = wire.text[i]!;
    const previous = wire.text[i - 1];
    const fold = c === ' ' && previous !== ' ' && previous !== '\t' && rnd.chance(0.12);
    // Folding with a tab turns the space into a tab (RFC 5322 §2.2.3 keeps the white space).
    value += fold ? `${eol}${rnd.chance(0.2) ? '\t' : ' '}` : c;
  }
  const blank = wire.text.trim() === ''; // a fold would leave a continuation line of white space
  const separator =
    !blank && rnd.chance(0.05) ? `${eol} ` : rnd.pick([' ', ' ', ' ', ' ', ' ', ' ', '', '\t', '  ']);
  const trailing = !blank && rnd.chance(0.05) ? rnd.pick([' ', '\t', '  ']) : '';
  return wireBytes(`${nameCase(rnd, name)}:${separator}${value}${trailing}${eol}`, wire.charset);
}

/** A message, and whether it is about none of the projects. */
interface Generated {
  readonly bytes: Buffer;
  readonly foreign: boolean;
}

function message(rnd: Random, configIndex: number, index: number): Generated {
  const eol = rnd.chance(0.5) ? '\r\n' : '\n';
  const p = rnd.chance(0.12) ? FOREIGN : rnd.pick(PROJECTS);
  const fields: Buffer[] = [];
  const add = (name: string, wire: Wire): void => void fields.push(fieldBytes(rnd, name, wire, eol));
  const header = (family: HeaderFamily, probability: number, repeat = 0): void => {
    if (!rnd.chance(probability)) return;
    add(family, renderText(rnd, headerSample(rnd, family, otherProject(rnd, p))));
    if (rnd.chance(repeat)) add(family, renderText(rnd, headerSample(rnd, family, otherProject(rnd, p))));
  };
  const addresses = (name: string, probability: number, repeat = 0): void => {
    if (!rnd.chance(probability)) return;
    add(name, addressField(rnd, p));
    if (rnd.chance(repeat)) add(name, addressField(rnd, p));
  };
  const foreign = p === FOREIGN;
  header('Subject', 0.95, 0.05);
  header('List-Id', foreign ? 0.1 : 0.6);
  header('X-Git-Repo', foreign ? 0.05 : 0.5, 0.1);
  header('X-Git-Refname', foreign ? 0.05 : 0.4);
  header('X-Svn-Commit-Project', foreign ? 0.05 : 0.25);
  header('X-Launchpad-Branch', foreign ? 0.05 : 0.2);
  for (let i = rnd.int(4); i > 0; i--) header('Received', 1);
  addresses('From', 0.95);
  addresses('To', 0.85, 0.1);
  addresses('Cc', 0.4);
  add('Message-ID', { text: `<c${configIndex}.m${index}.s${SEED}@gen.example>`, charset: 'utf8' });
  add('Date', { text: 'Mon, 1 Jan 2024 12:00:00 +0000', charset: 'utf8' });
  if (rnd.chance(0.5)) add('MIME-Version', { text: '1.0', charset: 'utf8' });
  if (rnd.chance(0.5)) add('Content-Type', { text: 'text/plain; charset=utf-8', charset: 'utf8' });
  // An empty field: present for "exists", matching no comparison but a glob of "*".
  if (rnd.chance(0.05)) add(rnd.pick(HEADER_FAMILIES), { text: rnd.pick(['', ' ', '\t']), charset: 'utf8' });

  // The body holds what would route the message elsewhere if it were read as header.
  const q = rnd.pick(PROJECTS);
  const body = [
    ...(rnd.chance(0.3) ? [` X-Git-Repo: ${q.name} (white space first, yet body)`] : []),
    `Subject: [${q.name}] this line is in the body`,
    `X-Git-Repo: ${q.name}`,
    `List-Id: <${q.slug}-commits.lists.${q.domain}>`,
    `From: ${rnd.pick(ASCII_USERS)}@${q.domain}`,
    `Received: from mail.${q.domain}`,
    '',
    `The body, about ${rnd.pick(WORDS)}.`,
    '',
  ].join(eol);
  const fromLine = rnd.chance(0.1) ? [Buffer.from('From sender@example.org Mon Jan  1 12:00:00 2024\n')] : [];
  const lines = rnd.shuffle(fields);
  // A few messages are all header: no empty line, maybe not even a final line end.
  const bodyless = rnd.chance(0.04);
  if (bodyless && rnd.chance(0.5)) lines.push(lines.pop()!.subarray(0, -eol.length));
  const tail = bodyless ? [] : [Buffer.from(`${eol}${body}`, 'utf8')];
  return { bytes: Buffer.concat([...fromLine, ...lines, ...tail]), foreign };
}

/** What the CLI writes into a maildir: the message without a leading mbox From_ line. */
function delivered(bytes: Buffer): Buffer {
  return bytes.subarray(0, 5).toString('latin1') === 'From '
    ? bytes.subarray(bytes.indexOf(0x0a) + 1)
    : bytes;
}

// ---------------------------------------------------------------------------------------------
// Rules: random nesting of any/all/not up to depth 4 over tests built from the same vocabulary.

type RawRule = Record<string, unknown>;

/** A run of a value for contains/glob/regex: a space-separated token, or a part of one. */
function pieceOf(rnd: Random, value: string): string {
  const token = rnd.pick(value.split(' '));
  if (!rnd.chance(0.4)) return token;
  const parts = token.split(/[/<>.@~:;()[\]-]/).filter((part) => Array.from(part).length >= 2);
  return parts.length === 0 ? token : rnd.pick(parts);
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** A glob that matches `text`, with some characters replaced by ? or a set holding them. */
function globify(rnd: Random, text: string): string {
  return Array.from(text)
    .map((c) => {
      const r = rnd.next();
      if (r < 0.08) return '?';
      if (r < 0.16 && /[0-9]/.test(c)) return '[0-9]';
      if (r < 0.16 && /[a-z]/i.test(c)) {
        const base = c === c.toLowerCase() ? 'a' : 'A';
        const at = c.charCodeAt(0) - base.charCodeAt(0);
        const low = String.fromCharCode(base.charCodeAt(0) + Math.max(0, at - rnd.int(3)));
        const high = String.fromCharCode(base.charCodeAt(0) + Math.min(25, at + rnd.int(3)));
        return rnd.chance(0.5) ? `[${low}-${high}]` : `[${c}${rnd.pick(['x', 'Q', '7', '.'])}]`;
      }
      if (r < 0.2 && /[a-z]/i.test(c) && c.toLowerCase() !== 'q') return '[!q]';
      return c === '[' || c === '*' || c === '?' ? `[${c}]` : c;
    })
    .join('');
}

function regexify(rnd: Random, text: string): string {
  return Array.from(text)
    .map((c) => {
      const r = rnd.next();
      if (r < 0.08) return '.';
      if (r < 0.14 && /[a-z]/i.test(c)) return '[a-z]';
      if (r < 0.2 && /[0-9]/.test(c)) return '[0-9]+';
      if (r < 0.24 && /[a-z0-9]/i.test(c)) return `${c}?`;
      return escapeRegex(c);
    })
    .join('');
}

/** A comparison that matches `sample` (before case and caseSensitive get their say). */
function comparison(rnd: Random, sample: string, other: string, isAddress: boolean, piece: string): RawRule {
  const chars = Array.from(sample);
  const prefix = chars.slice(0, 2 + rnd.int(Math.max(1, chars.length - 2))).join('');
  const suffix = chars.slice(-(2 + rnd.int(Math.max(1, chars.length - 2)))).join('');
  const r = rnd.next();
  if (r < 0.12) return { exists: rnd.chance(0.75) };
  if (r < 0.27) return { equals: sample };
  if (r < 0.5) return { contains: isAddress && rnd.chance(0.5) ? `@${sample.split('@')[1]!}` : piece };
  if (r < 0.75) {
    const glob = rnd.pick([
      () => `*${globify(rnd, piece)}*`,
      () => `${globify(rnd, prefix)}*`,
      () => `*${globify(rnd, suffix)}`,
      () => globify(rnd, sample),
      () => (isAddress ? `*@${globify(rnd, sample.split('@')[1]!)}` : `*${globify(rnd, piece)}`),
    ])();
    return { glob };
  }
  const regex = rnd.pick([
    () => escapeRegex(piece),
    () => `^${regexify(rnd, prefix)}`,
    () => `${regexify(rnd, suffix)}$`,
    () => `^${escapeRegex(prefix)}.*${escapeRegex(pieceOf(rnd, sample))}`,
    () => `(?:${escapeRegex(piece)}|${escapeRegex(pieceOf(rnd, other))})`,
    () => regexify(rnd, piece),
    () => '^\\[?(?:rfc|wip|patch)',
    () => '^(?:re|fwd): ',
    () => (isAddress ? '^[a-z.-]+@(?:kernel|freedesktop)\\.org$' : '[a-z0-9-]*\\.git$'),
  ])();
  return { regex };
}

/** A comparison for one of 1–3 non-ASCII words of the vocabulary, wherever in the value. */
function focusComparison(rnd: Random, vocabulary: readonly string[]): RawRule {
  const words = rnd.shuffle(vocabulary).slice(0, 1 + rnd.int(3));
  const r = rnd.next();
  if (r < 0.5) return { regex: `(?:${words.map((word) => escapeRegex(vary(rnd, word))).join('|')})` };
  if (r < 0.75) return { contains: words[0]! };
  return { glob: `*${globify(rnd, words[0]!)}*` };
}

function testRule(rnd: Random): RawRule {
  const p = rnd.chance(0.05) ? FOREIGN : rnd.pick(PROJECTS);
  const isAddress = rnd.chance(0.3);
  let subject: RawRule;
  let sample: string;
  let other: string;
  let focus: readonly string[] = [];
  if (isAddress) {
    subject = { address: nameCase(rnd, rnd.pick(ADDRESS_FIELDS)) };
    sample = addressSample(rnd, p);
    other = addressSample(rnd, rnd.pick(PROJECTS));
  } else if (rnd.chance(0.15)) {
    // An address field as text: display names (decoded) and addresses alike.
    subject = { header: nameCase(rnd, rnd.pick(ADDRESS_FIELDS)) };
    sample = `${rnd.pick(DISPLAY_NAMES)} <${addressSample(rnd, p)}>`;
    other = `${rnd.pick(DISPLAY_NAMES)} <${addressSample(rnd, rnd.pick(PROJECTS))}>`;
    focus = NAME_WORDS;
  } else {
    const family = rnd.pick(HEADER_FAMILIES);
    subject = { header: nameCase(rnd, family) };
    sample = headerSample(rnd, family, p);
    other = headerSample(rnd, family, rnd.pick(PROJECTS));
    if (['Subject', 'List-Id', 'X-Git-Repo', 'X-Svn-Commit-Project'].includes(family)) focus = FOCUS_WORDS;
  }
  // Decoding shows in the non-ASCII words: look for them often where they occur.
  const compared =
    focus.length > 0 && rnd.chance(0.5)
      ? focusComparison(rnd, focus)
      : comparison(rnd, sample, other, isAddress, pieceOf(rnd, sample));
  if ('exists' in compared) return { ...subject, ...compared };
  const caseSensitive = rnd.chance(0.2);
  if (caseSensitive) return { ...subject, ...compared, caseSensitive };
  // Without caseSensitive the rule's own case is random; the regex keeps its classes lower case.
  const [op, text] = Object.entries(compared)[0] as [string, string];
  const cased = op === 'regex' ? text : op === 'glob' ? varyGlob(rnd, text) : vary(rnd, text);
  return { ...subject, [op]: cased, ...(rnd.chance(0.1) ? { caseSensitive: false } : {}) };
}

/** A glob in random case, its sets untouched (a range must keep one letter case). */
function varyGlob(rnd: Random, glob: string): string {
  return glob
    .split(/(\[[^\]]*\]|\[\]\])/)
    .map((part) => (part.startsWith('[') ? part : vary(rnd, part)))
    .join('');
}

function rule(rnd: Random, depth = 1): RawRule {
  if (depth < 4 && rnd.chance(depth === 1 ? 0.6 : 0.35)) {
    const kind = rnd.pick(['any', 'any', 'all', 'all', 'not']);
    if (kind === 'not') return { not: rule(rnd, depth + 1) };
    return { [kind]: Array.from({ length: 1 + rnd.int(3) }, () => rule(rnd, depth + 1)) };
  }
  return testRule(rnd);
}

/** Candidate rules per target with a rule; the oracle picks one (see `pick`). */
const CANDIDATES = 40;

/** Of a target's candidate rules, the first that accepts 20–70 % of the messages and none of
 *  the `quiet` ones, or the closest. `accepted[k]` says which messages candidate k accepts,
 *  in the oracle's judgement: the implementation under test has no say in the configs. */
function pick(
  candidates: readonly RawRule[],
  accepted: readonly boolean[][],
  quiet: readonly number[],
): RawRule {
  let best: { rule: RawRule; distance: number } | undefined;
  for (const [k, candidate] of candidates.entries()) {
    const hits = accepted[k]!;
    const rate = hits.filter(Boolean).length / hits.length;
    const loud = quiet.filter((m) => hits[m]).length;
    const distance = (rate < 0.2 ? 0.2 - rate : rate > 0.7 ? rate - 0.7 : 0) + loud;
    if (distance === 0) return candidate;
    if (best === undefined || distance < best.distance) best = { rule: candidate, distance };
  }
  return best!.rule;
}

// ---------------------------------------------------------------------------------------------
// Configs, the oracle, and the implementation.

type Policy = 'reject' | 'defer' | 'discard' | { deliverTo: string[] } | undefined;

interface Case {
  readonly index: number;
  readonly box: Sandbox;
  /** targets.json as written for the CLI, and parsed in-process. */
  readonly json: { targets: { name: string; path: string; match?: RawRule }[]; unmatched?: Policy };
  readonly configPath: string;
  readonly messages: readonly Buffer[];
}

/** Which targets get a message, and what happens when none does. */
interface Verdict {
  readonly to: readonly string[];
  readonly unmatched: 'reject' | 'defer' | 'discard' | null;
  readonly fallback: boolean;
}

/** A config before its rules are chosen: its messages, and candidate rules for each target. */
interface Draft {
  readonly index: number;
  readonly messages: readonly Buffer[];
  /** Messages every rule must leave alone, so that `unmatched` has work. */
  readonly quiet: readonly number[];
  /** Per target, candidate rules; none for the target without a rule. */
  readonly candidates: readonly (readonly RawRule[])[];
}

function draft(rnd: Random, index: number): Draft {
  const generated = Array.from({ length: MESSAGES_PER_CONFIG }, (_, i) => message(rnd, index, i));
  const count = 4 + rnd.int(5);
  // One target without a rule makes `unmatched` moot, so the first five configs (one for each
  // policy) never have one.
  const ruleless = index >= 5 && rnd.chance(0.35) ? rnd.int(count) : -1;
  const foreign = generated.flatMap((g, i) => (g.foreign ? [i] : []));
  return {
    index,
    messages: generated.map((g) => g.bytes),
    quiet: ruleless === -1 ? foreign.slice(0, QUIET_MESSAGES) : [],
    candidates: Array.from({ length: count }, (_, t) =>
      t === ruleless ? [] : Array.from({ length: CANDIDATES }, () => rule(rnd)),
    ),
  };
}

/** The configs: each target's rule picked from its candidates by one run of the oracle. */
function makeCases(rnd: Random, drafts: readonly Draft[]): Case[] {
  const trial = drafts.map((d) => ({
    json: {
      targets: d.candidates.flatMap((list, t) =>
        list.map((match, k) => ({ name: `${t}.${k}`, path: `/candidate/${t}.${k}`, match })),
      ),
    },
    messages: d.messages,
  }));
  const answers = runOracle(trial);
  return drafts.map((d, i) => {
    const chosen = answers[i]!.map((verdict) => new Set(verdict.to));
    const accepted = (t: number, k: number): boolean[] => chosen.map((to) => to.has(`${t}.${k}`));
    const box = sandbox();
    const targets = d.candidates.map((list, t) => {
      const name = `bb-${t}`;
      const path = box.maildir(name);
      if (list.length === 0) return { name, path };
      return {
        name,
        path,
        match: pick(
          list,
          list.map((_, k) => accepted(t, k)),
          d.quiet,
        ),
      };
    });
    const names = targets.map((t) => t.name);
    const policies: Policy[] = [
      'reject',
      'defer',
      'discard',
      { deliverTo: rnd.shuffle(names).slice(0, 1 + rnd.int(2)) },
      undefined,
    ];
    const unmatched = d.index < policies.length ? policies[d.index] : rnd.pick(policies);
    const json = {
      targets,
      ...(unmatched === undefined ? {} : { unmatched }),
      log: join(box.dir, 'delivery.log'), // "discard" needs one; the others do not mind
      journal: { enabled: false }, // not the point here
      traceHeaders: 'none',
    };
    return { index: d.index, box, json, configPath: box.config(json), messages: d.messages };
  });
}

/** One python3 process for every message of every config. */
function runOracle(cases: readonly Pick<Case, 'json' | 'messages'>[]): Verdict[][] {
  const request = cases.map((c) => ({
    targets: c.json.targets,
    unmatched: c.json.unmatched ?? null,
    messages: c.messages.map((m) => m.toString('base64')),
  }));
  const result = spawnSync('python3', [ORACLE], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`${REPLAY}: the oracle failed (${String(result.status)}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Verdict[][];
}

/** The message as a stream of 1–4 chunks, cut anywhere, as stdin may hand it over. */
function chunks(rnd: Random, bytes: Buffer): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  let at = 0;
  for (let left = rnd.int(4); left > 0 && at < bytes.length; left--) {
    const end = at + 1 + rnd.int(bytes.length - at);
    parts.push(bytes.subarray(at, end));
    at = end;
  }
  if (at < bytes.length) parts.push(bytes.subarray(at));
  return Readable.from(parts);
}

function verdictOf(plan: RoutePlan | undefined, config: Config): Verdict {
  if (plan === undefined) return { to: config.targets.map((t) => t.name), unmatched: null, fallback: false };
  return {
    to: plan.selected.map((t) => t.name),
    unmatched: plan.unmatched ?? null,
    fallback: plan.routes.some((r) => r.fallback),
  };
}

function explainPlan(plan: RoutePlan | undefined): string {
  if (plan === undefined) return '    (no target has a rule)';
  return plan.routes
    .map((r) => {
      const how = r.decision === undefined ? 'no rule' : `${r.decision.at}: ${r.decision.reason}`;
      return `    ${r.target.name}: ${r.selected ? 'yes' : 'no'}${r.fallback ? ' (fallback)' : ''}: ${how}`;
    })
    .join('\n');
}

function showMessage(bytes: Buffer): string {
  return `  message (latin1 view): ${JSON.stringify(bytes.toString('latin1'))}\n  message (base64): ${bytes.toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------

describe(`routing: 1,000 random messages against an independent oracle (${REPLAY})`, () => {
  const rnd = new Random(SEED);
  const cases: Case[] = [];
  let verdicts: Verdict[][] = [];
  const implementation: { verdict: Verdict; plan: RoutePlan | undefined }[][] = [];

  before(async () => {
    const drafts = Array.from({ length: CONFIGS }, (_, i) => draft(rnd, i));
    cases.push(...makeCases(rnd, drafts));
    verdicts = runOracle(cases);
    for (const c of cases) {
      const parsed = parseConfig(readFileSync(c.configPath, 'utf8'), c.configPath, undefined);
      if (!parsed.ok) throw new Error(`${REPLAY}: config ${c.index} refused: ${parsed.problem}`);
      const { targets, settings } = parsed.config;
      const routed: (typeof implementation)[number] = [];
      for (const bytes of c.messages) {
        const { plan } = await routeStep(targets, settings.unmatched, chunks(rnd, bytes));
        routed.push({ verdict: verdictOf(plan, parsed.config), plan });
      }
      implementation.push(routed);
    }
  });
  after(() => {
    for (const c of cases) c.box.remove();
  });

  it('routes every message as the oracle does (in-process, through parseConfig and routeStep)', () => {
    const failures: string[] = [];
    for (const c of cases) {
      for (const [m, bytes] of c.messages.entries()) {
        const ours = implementation[c.index]![m]!;
        const theirs = verdicts[c.index]![m]!;
        const same =
          JSON.stringify(ours.verdict.to) === JSON.stringify(theirs.to) &&
          ours.verdict.unmatched === theirs.unmatched &&
          ours.verdict.fallback === theirs.fallback;
        if (same) continue;
        failures.push(
          [
            `${REPLAY}, config ${c.index}, message ${m}:`,
            `  implementation: ${JSON.stringify(ours.verdict)}`,
            explainPlan(ours.plan),
            `  oracle: ${JSON.stringify(theirs)}`,
            showMessage(bytes),
            `  config: ${JSON.stringify(c.json)}`,
          ].join('\n'),
        );
      }
    }
    assert.equal(
      failures.length,
      0,
      `${failures.length} disagreements; the first ones:\n\n${failures.slice(0, 5).join('\n\n')}`,
    );
  });

  it('the mix is healthy: rules accept 20–70 % of messages, every unmatched policy decides some', (t) => {
    const rates: number[] = [];
    const outcomes = { reject: 0, defer: 0, discard: 0, deliverTo: 0 };
    for (const c of cases) {
      const answers = verdicts[c.index]!;
      const line = c.json.targets.map((target) => {
        if (target.match === undefined) return `${target.name}: no rule`;
        const rate = answers.filter((v) => v.to.includes(target.name) && !v.fallback).length / answers.length;
        rates.push(rate);
        return `${target.name}: ${Math.round(rate * 100)}%`;
      });
      for (const v of answers) {
        if (v.unmatched !== null) outcomes[v.unmatched]++;
        if (v.fallback) outcomes.deliverTo++;
      }
      t.diagnostic(`config ${c.index} (unmatched ${JSON.stringify(c.json.unmatched)}): ${line.join(', ')}`);
    }
    t.diagnostic(`no rule matched: ${JSON.stringify(outcomes)}`);
    // What the messages hold, counted on their header blocks (up to the first empty line).
    const headers = cases.flatMap((c) => c.messages).map((m) => m.toString('latin1').split(/\n\r?\n/)[0]!);
    const count = (re: RegExp): number => headers.filter((h) => re.test(h)).length;
    const labels = new Map<string, number>();
    for (const match of headers.join('\n').matchAll(/=\?([^?]+)\?[BbQq]\?/g)) {
      const label = match[1]!.toLowerCase();
      labels.set(label, (labels.get(label) ?? 0) + 1);
    }
    t.diagnostic(
      `messages: ${headers.length}, CRLF ${count(/\r\n/)}, From_ line ${count(/^From /)}, ` +
        `encoded words ${count(/=\?[^?]+\?[BbQq]\?/)}, raw 8-bit ${count(/^[^\r\n]*:[^\r\n]*[\x80-\xff]/m)}, ` +
        `folded ${count(/\n[ \t]/)}, groups ${count(/^(?:to|cc|from):[^\r\n]*:[^\r\n]*;/im)}`,
    );
    t.diagnostic(`encoded words by charset: ${[...labels].map(([label, n]) => `${label} ${n}`).join(', ')}`);
    const healthy = rates.filter((rate) => rate >= 0.1 && rate <= 0.8).length;
    assert.ok(
      healthy >= rates.length * 0.75,
      `${REPLAY}: only ${healthy} of ${rates.length} rules are healthy`,
    );
    for (const [policy, n] of Object.entries(outcomes))
      assert.ok(n > 0, `${REPLAY}: no message was left to "unmatched": ${policy}`);
  });

  describe(`${CONFIGS * CLI_PER_CONFIG} of them delivered through the CLI, ${CLI_PARALLEL} at a time`, () => {
    interface Run {
      readonly c: Case;
      readonly m: number;
      readonly result: RunResult;
    }
    const runs: Run[] = [];
    before(async () => {
      const jobs = cases.flatMap((c) => cliSelection(rnd, verdicts[c.index]!).map((m) => ({ c, m })));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < jobs.length) {
          const { c, m } = jobs[next++]!;
          const result = await runCli(['--config', c.configPath], { input: c.messages[m]! });
          runs.push({ c, m, result });
        }
      };
      await Promise.all(Array.from({ length: CLI_PARALLEL }, worker));
    });

    it("exits 0, 65 (reject, 5.7.1) or 75 (defer, 4.7.1) as the oracle's verdict says", () => {
      const wrong = runs.flatMap(({ c, m, result }) => {
        const verdict = verdicts[c.index]![m]!;
        const code = verdict.unmatched === 'reject' ? 65 : verdict.unmatched === 'defer' ? 75 : 0;
        const status = code === 65 ? '5.7.1 ' : code === 75 ? '4.7.1 ' : '';
        const output = result.stdout + result.stderr;
        const ok = result.code === code && (code === 0 ? output === '' : result.stderr.startsWith(status));
        if (ok) return [];
        return [
          `${REPLAY}, config ${c.index}, message ${m}: expected exit ${code} (${JSON.stringify(verdict)}), ` +
            `got ${String(result.code)}: ${JSON.stringify(output)}\n${showMessage(c.messages[m]!)}`,
        ];
      });
      assert.equal(runs.length, CONFIGS * CLI_PER_CONFIG);
      assert.equal(wrong.length, 0, wrong.slice(0, 5).join('\n\n'));
    });

    it("each maildir's new/ holds exactly the messages the oracle sent there, byte for byte", () => {
      const wrong: string[] = [];
      for (const c of cases) {
        const mine = runs.filter((run) => run.c === c);
        for (const target of c.json.targets) {
          const expected = mine
            .filter(({ m }) => verdicts[c.index]![m]!.to.includes(target.name))
            .map(({ m }) => ({ m, data: delivered(c.messages[m]!).toString('base64') }));
          const actual = readNew(target.path).map((data) => data.toString('base64'));
          const missing = [...expected];
          const extra: string[] = [];
          for (const data of actual) {
            const at = missing.findIndex((e) => e.data === data);
            if (at === -1) extra.push(data);
            else missing.splice(at, 1);
          }
          if (missing.length === 0 && extra.length === 0) continue;
          const which = (data: string): string => {
            const m = mine.find((run) => delivered(c.messages[run.m]!).toString('base64') === data)?.m;
            return m === undefined
              ? `an unknown file ${JSON.stringify(Buffer.from(data, 'base64').toString('latin1'))}`
              : `message ${m}`;
          };
          const first = missing[0] === undefined ? '' : `\n${showMessage(c.messages[missing[0].m]!)}`;
          wrong.push(
            `${REPLAY}, config ${c.index}, target ${target.name}: missing ${JSON.stringify(missing.map((e) => e.m))}, ` +
              `unexpected ${extra.map(which).join(', ') || 'none'}${first}\n  config: ${JSON.stringify(c.json)}`,
          );
        }
      }
      assert.equal(wrong.length, 0, wrong.slice(0, 5).join('\n\n'));
    });

    it('leaves nothing in tmp/ (or cur/)', () => {
      for (const c of cases) {
        for (const target of c.json.targets) {
          const { tmp, cur } = listMaildir(target.path);
          assert.deepEqual(
            { tmp, cur },
            { tmp: [], cur: [] },
            `${REPLAY}, config ${c.index}, ${target.name}`,
          );
        }
      }
    });

    it('logs one status=discarded line for each discarded message', () => {
      for (const c of cases) {
        const discarded = runs.filter(
          (run) => run.c === c && verdicts[c.index]![run.m]!.unmatched === 'discard',
        );
        const log = join(c.box.dir, 'delivery.log');
        const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
        const logged = lines.filter((line) => line.includes(' status=discarded ')).length;
        assert.equal(logged, discarded.length, `${REPLAY}, config ${c.index}`);
      }
    });
  });
});

/** Of a config's messages, those the CLI gets: up to CLI_UNMATCHED_PER_CONFIG that no rule
 *  accepts (so that every policy is seen at work), the rest at random. */
function cliSelection(rnd: Random, answers: readonly Verdict[]): number[] {
  const indexes = rnd.shuffle(answers.map((_, i) => i));
  const unmatched = indexes.filter((i) => answers[i]!.unmatched !== null || answers[i]!.fallback);
  const chosen = unmatched.slice(0, Math.min(CLI_UNMATCHED_PER_CONFIG, CLI_PER_CONFIG));
  const rest = indexes.filter((i) => !chosen.includes(i));
  return [...chosen, ...rest.slice(0, CLI_PER_CONFIG - chosen.length)];
}

// Regressions the oracle found, each pinned with a fixed message and named after the bug.
describe('routing regressions found by the oracle', () => {
  /** The oracle's verdict and the implementation's, for one message under one config. */
  async function both(
    json: Case['json'],
    message: Buffer,
  ): Promise<{ oracle: Verdict; ours: Verdict; why: string }> {
    const oracle = runOracle([{ json, messages: [message] }])[0]![0]!;
    const parsed = parseConfig(JSON.stringify(json), '/srv/targets.json', undefined);
    if (!parsed.ok) throw new Error(parsed.problem);
    const { targets, settings } = parsed.config;
    const { plan } = await routeStep(targets, settings.unmatched, chunks(new Random(SEED), message));
    return { oracle, ours: verdictOf(plan, parsed.config), why: explainPlan(plan) };
  }

  // Found with ROUTING_SEED=13 and 49. src/route/encoded-words.ts joins the bytes of adjacent
  // encoded words of one charset before decoding them. Each ISO-2022-JP word ends in ASCII
  // (ESC ( B, RFC 1468), so the next word's ESC $ B follows at once, and two escape sequences in
  // a row are an error to the WHATWG decoder: U+FFFD between the words, "日本\uFFFD語".
  it('regression: adjacent ISO-2022-JP encoded words decode without a U+FFFD between them', async () => {
    const subject = '=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?= =?ISO-2022-JP?B?GyRCOGwbKEI=?='; // 日本 + 語
    const message = Buffer.from(`Subject: ${subject}\r\n\r\nbody\r\n`);
    const json: Case['json'] = {
      targets: [{ name: 'ja', path: '/srv/ja/Maildir', match: { header: 'Subject', equals: '日本語' } }],
      unmatched: 'defer',
    };
    const { oracle, ours, why } = await both(json, message);
    assert.deepEqual(oracle, { to: ['ja'], unmatched: null, fallback: false });
    assert.deepEqual(ours, oracle, why);
  });
});
