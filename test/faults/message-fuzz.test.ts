// Hostile input on the message path (issue 9): whatever bytes arrive on stdin, the CLI either
// delivers them byte-exact (README, Guarantees 4: the input minus a leading From_ line; no trace
// headers here, as no MTA is recognised) into every target whose rule accepts them, or exits
// with a documented status and delivers nothing (65, 5.2.3 over the size limit) — never a
// crash (exit 1, a signal, a stack trace), never a hang, never a file left in tmp/.
//
// Three ways to run each input: maildir arguments (no routing: nothing is parsed), a config with
// `match` rules (the header block is scanned, decoded and address-parsed, at most 256 KiB), and
// --dry-run with those rules (reads the message, writes nothing). Random cases are seeded
// (FAULTS_SEED, default below; FAULTS_CASES, default 150); fixed cases cover the classes the
// issue names one by one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listMaildir, readNew, sandbox } from '../integration/harness';
import {
  assertNoCrash,
  countFromEnvironment,
  diagnosticCode,
  describeRun,
  expectedFile,
  explained,
  keepInput,
  Rng,
  runBounded,
  seedFromEnvironment,
  sha256,
} from './fuzz-lab';

const SEED = seedFromEnvironment(0x9b0001);
const CASES = countFromEnvironment('FAULTS_CASES', 150);
const KIB = 1024;
const MIB = 1024 * KIB;

/** Rules that make the routing code read, decode and address-parse the header block. */
const RULED_TARGETS = [
  { name: 'plain', path: 'plain' },
  { name: 'subj', path: 'subj', match: { header: 'Subject', contains: '[fuzz]' } },
  {
    name: 'from',
    path: 'from',
    match: {
      any: [
        { address: 'From', glob: '*@fuzz.example' },
        { header: 'X-Fuzz', regex: '^[a-z]+$' },
        { not: { header: 'To', exists: true } },
      ],
    },
  },
];

type Way = 'arguments' | 'rules' | 'dry-run';

interface Case {
  readonly title: string;
  readonly input: Buffer;
  /** The routing must give the `subj` target a copy (true), none (false), or either (undefined). */
  readonly subject?: boolean;
  readonly extraArgs?: readonly string[];
  /** The documented permanent failure expected instead of a delivery. */
  readonly rejected?: { readonly exit: number; readonly code: string };
}

// ---- the random message generator ----

const HEADER_NAMES = [
  'Subject',
  'From',
  'To',
  'Cc',
  'X-Fuzz',
  'Received',
  'Message-ID',
  'Reply-To',
  'Sender',
];
const VALUE_ALPHABETS: readonly (readonly string[])[] = [
  ['a', 'b', ' ', '.', '@', 'fuzz.example'],
  ['<', '>', '@', ',', ';', ':', '"', '(', ')', '\\', ' ', 'a'],
  ['=?UTF-8?B?', '=?ISO-8859-1?Q?', '?=', '=C3=A9', 'w6k=', ' ', '_'],
  ['\0', '\r', '\t', '\x7f', '\x1b', ' '],
  ['\x80', '\xff', '\xc3', '\xa9', '\xe2\x82\xac', '\xed\xa0\x80', 'a'],
];
const LINE_ENDS = ['\n', '\n', '\n', '\r\n', '\r\n', '\r', ''];

function randomText(rng: Rng, alphabet: readonly string[], length: number): string {
  let out = '';
  while (out.length < length) out += rng.pick(alphabet);
  return out;
}

/** One random header line (sometimes folded), of any shape a hostile sender might send. */
function randomHeaderLine(rng: Rng): string {
  const name = rng.chance(0.8)
    ? rng.pick(HEADER_NAMES)
    : randomText(rng, [...VALUE_ALPHABETS[4]!, ...VALUE_ALPHABETS[1]!, 'X'], rng.between(0, 12));
  const length = rng.chance(0.03) ? rng.between(10_000, 100_000) : rng.between(0, 120);
  let line = `${name}:${rng.chance(0.8) ? ' ' : ''}${randomText(rng, rng.pick(VALUE_ALPHABETS), length)}`;
  while (rng.chance(0.2))
    line += `${rng.pick(LINE_ENDS)}${rng.pick([' ', '\t'])}${randomText(rng, rng.pick(VALUE_ALPHABETS), 20)}`;
  return line + rng.pick(LINE_ENDS);
}

/** A random message: random bytes, or a header-like block, a separator or none, and a body. */
function randomCase(rng: Rng, n: number): Case {
  const parts: Buffer[] = [];
  const traits: string[] = [];
  /** A From_ line without a line end swallows the whole input (README, Limits). */
  let swallowed = false;
  if (rng.chance(0.3)) {
    traits.push('From_ line');
    const fromLine = rng.chance(0.8)
      ? `From sender${n}@example.org Sat Nov 28 14:00:${String(n % 60).padStart(2, '0')} 2026\n`
      : `From ${randomText(rng, VALUE_ALPHABETS[3]!, 30)}${rng.chance(0.5) ? '\n' : ''}`;
    swallowed = !fromLine.includes('\n');
    parts.push(Buffer.from(fromLine, 'latin1'));
  }
  let subject: boolean | undefined;
  const shape = rng.int(3);
  if (shape === 0) {
    traits.push('random bytes');
    parts.push(rng.bytes(rng.chance(0.1) ? rng.between(64 * 1024, 512 * 1024) : rng.between(0, 8192)));
  } else {
    traits.push(shape === 1 ? 'header-like' : 'header-like, then random bytes');
    if (rng.chance(0.4)) {
      // A clean first field: the rule on Subject must see it, whatever follows.
      if (!swallowed) subject = true;
      traits.push('Subject first');
      parts.push(Buffer.from(`Subject: [fuzz] message ${n}\n`));
    }
    const lines = rng.chance(0.05) ? rng.between(1000, 5000) : rng.between(0, 30);
    for (let i = 0; i < lines; i++) parts.push(Buffer.from(randomHeaderLine(rng), 'latin1'));
    if (rng.chance(0.7)) {
      traits.push('separator');
      parts.push(Buffer.from(rng.pick(['\n', '\r\n', '\r\r', '\n\n']), 'latin1'));
    }
    if (shape === 2) parts.push(rng.bytes(rng.between(0, 4096)));
    else if (rng.chance(0.1)) {
      traits.push('long body line');
      parts.push(Buffer.from('b'.repeat(rng.between(100_000, 1_200_000))));
    } else
      parts.push(
        Buffer.from(randomText(rng, [...VALUE_ALPHABETS[3]!, 'body ', '\n'], rng.between(0, 2000)), 'latin1'),
      );
  }
  const input = Buffer.concat(parts);
  return {
    title: `${traits.join(', ')}, ${input.length} bytes`,
    input,
    ...(subject === undefined ? {} : { subject }),
  };
}

describe(`hostile messages through the real CLI (FAULTS_SEED=${SEED})`, { concurrency: 2 }, () => {
  const box = sandbox();
  const state = `${box.dir}/state`;
  let serial = 0;
  before(() => console.log(`message-fuzz: FAULTS_SEED=${SEED} FAULTS_CASES=${CASES}`));
  after(() => box.remove());

  /** Runs one input one way, in maildirs of its own, and checks the property. */
  /** check(), with the failing input written to a file named in the failure. */
  const check = (c: Case, way: Way): Promise<void> =>
    explained(
      () => checkRun(c, way),
      () => `input kept at ${keepInput(c.input)}`,
    );

  async function checkRun(c: Case, way: Way): Promise<void> {
    const place = `c${++serial}`;
    const names = way === 'arguments' ? ['m1', 'm2'] : RULED_TARGETS.map((t) => t.name);
    const dirs = names.map((name) => box.maildir(`${place}/${name}`));
    const args =
      way === 'arguments'
        ? dirs
        : [
            ...(way === 'dry-run' ? ['--dry-run'] : []),
            '--config',
            box.config({ targets: RULED_TARGETS }, `${place}/targets.json`),
          ];
    const result = await runBounded(['--state-dir', state, ...(c.extraArgs ?? []), ...args], {
      input: c.input,
    });
    const context = (): string =>
      `case "${c.title}" (${way}, seed ${SEED}), input ${c.input.length} bytes, sha256 ${sha256(c.input)}`;
    assertNoCrash(result, context);
    for (const dir of dirs) {
      const listing = listMaildir(dir);
      assert.deepEqual(listing.tmp, [], `a file left in ${dir}/tmp; ${context()}`);
      assert.deepEqual(listing.cur, [], `a file in ${dir}/cur; ${context()}`);
    }
    if (c.rejected !== undefined) {
      assert.equal(result.code, c.rejected.exit, `${describeRun(result)}; ${context()}`);
      assert.equal(diagnosticCode(result, context, way === 'dry-run'), c.rejected.code, context());
      for (const dir of dirs) assert.deepEqual(listMaildir(dir).new, [], `delivered to ${dir}; ${context()}`);
      return;
    }
    assert.equal(result.code, 0, `${describeRun(result)}; ${context()}`);
    assert.equal(result.stderr, '', `${describeRun(result)}; ${context()}`);
    if (way === 'dry-run') {
      assert.notEqual(result.stdout, '', `the dry run printed no plan; ${context()}`);
      for (const dir of dirs)
        assert.deepEqual(listMaildir(dir).new, [], `dry run wrote to ${dir}; ${context()}`);
      return;
    }
    assert.equal(result.stdout, '', context());
    const expected = expectedFile(c.input);
    for (const [index, dir] of dirs.entries()) {
      const copies = readNew(dir);
      // Without a rule (maildir arguments, `plain`) a target gets every message.
      const mustHave = way === 'arguments' || index === 0 || (index === 1 && c.subject === true);
      const mustLack = way === 'rules' && index === 1 && c.subject === false;
      assert.ok(copies.length <= 1, `${copies.length} copies in ${dir}/new; ${context()}`);
      if (mustHave) assert.equal(copies.length, 1, `no copy in ${dir}/new; ${context()}`);
      if (mustLack) assert.equal(copies.length, 0, `a copy in ${dir}/new, against its rule; ${context()}`);
      for (const copy of copies) {
        if (!copy.equals(expected))
          assert.fail(
            `the copy in ${dir}/new is not byte-exact: ${copy.length} bytes, sha256 ${sha256(copy)}, ` +
              `expected ${expected.length} bytes, sha256 ${sha256(expected)}; ${context()}`,
          );
      }
    }
  }

  const b = (text: string): Buffer => Buffer.from(text, 'latin1');
  const filler = (count: number): string =>
    Array.from({ length: count }, (_, i) => `X-Filler-${String(i).padStart(5, '0')}: value ${i}\n`).join('');
  const fixed: Case[] = [
    { title: '0-byte input (an empty file, README Limits)', input: Buffer.alloc(0), subject: false },
    {
      title: 'only a From_ line (an empty file, README Limits)',
      input: b('From a@b Sat Nov 28 14:00:00 2026\n'),
    },
    { title: 'a From_ line without any line end', input: b('From a@b Sat Nov 28 14:00:00 2026') },
    { title: '"Fro": a prefix of "From " is a message', input: b('Fro') },
    // README, Routing: the header block runs "up to its first empty line", a stray first line included.
    { title: '">From " is not a From_ line', input: b('>From a@b\nSubject: [fuzz]\n\nx\n'), subject: true },
    {
      title: 'From_ line then a message: only the first line goes',
      input: b('From a@b Sat Nov 28 14:00:00 2026\nSubject: [fuzz]\n\nFrom inside the body\n'),
      subject: true,
    },
    { title: 'a From_ line of 1 MiB', input: b(`From ${'x'.repeat(MIB)}\nSubject: [fuzz]\n\nbody\n`) },
    { title: 'no header/body separator', input: b('Subject: [fuzz] no separator\nTo: a@b'), subject: true },
    { title: 'no separator, no final newline, one line', input: b('Subject: [fuzz]'), subject: true },
    { title: 'body only (starts with the empty line)', input: b('\nSubject: [fuzz]\n'), subject: false },
    {
      title: 'NUL bytes in header names, values and the body',
      input: b('Subject: [fuzz]\0tail\n\0X-N\0: \0\nTo: a\0@b\n\n\0\0body\0\n'),
    },
    { title: 'bare CR line ends only', input: b('Subject: [fuzz]\rTo: a@b\r\rbody\r'), subject: true },
    { title: 'CRLF, LF and CR mixed', input: b('Subject: [fuzz]\r\nTo: a@b\nX-A: 1\r\r\nbody\r\nx\ry\n') },
    {
      title: 'invalid UTF-8 and 8-bit bytes in header and body',
      input: b('Subject: [fuzz] \xff\xfe\xc3\x28\xe2\x82\nFrom: \xa0\xa1@fuzz.example\n\n\x80\x81\xc0\xaf\n'),
      subject: true,
    },
    {
      title: 'hostile encoded words (unknown charset, broken base64 and Q)',
      input: b(
        'Subject: =?x-unknown?Q?=ZZ=?= =?UTF-8?B?####?= =?UTF-8?Q?[fuzz]?= =?ISO-2022-JP?B?GyRC?=\n' +
          `X-Fuzz: ${'=?UTF-8?B?'.repeat(5000)}\n\nbody\n`,
      ),
    },
    {
      title: 'hostile address fields (deep comments, unbalanced brackets, 60,000 addresses)',
      input: b(
        `From: ${'('.repeat(100_000)}a@fuzz.example\nTo: ${'<'.repeat(50_000)}\nCc: ${'a@b,'.repeat(60_000)}\n` +
          `Reply-To: ${'g:'.repeat(30_000)}\n\nbody\n`,
      ),
    },
    { title: 'a header line of 1 MiB', input: b(`Subject: [fuzz] ${'a'.repeat(MIB)}\n\nbody\n`) },
    {
      title: 'a folded header of 1 MiB (20,000 continuation lines)',
      input: b(`Subject: [fuzz]\n${' continued line of the subject\n'.repeat(20_000)}\nbody\n`),
    },
    {
      title: '10,000 header lines, Subject first',
      input: b(`Subject: [fuzz]\n${filler(10_000)}\nbody\n`),
      subject: true,
    },
    {
      // README, Routing: "at most 256 KiB; fields beyond 256 KiB are not seen".
      title: 'a header block over 256 KiB: a Subject after 300 KiB is not seen',
      input: b(`${filler(10_000)}${filler(1)}Subject: [fuzz]\n\nbody\n`),
      subject: false,
    },
    {
      title: 'a header block of 8 MiB without a separator',
      input: b(`Subject: [fuzz]\n${filler(300_000)}`.slice(0, 8 * MIB)),
    },
    {
      title: 'a body line of 3 MiB without a line end',
      input: b(`Subject: [fuzz]\n\n${'y'.repeat(3 * MIB)}`),
    },
    { title: 'a 2 MiB line and nothing else', input: b('z'.repeat(2 * MIB)), subject: false },
    { title: '1 MiB of LF only', input: b('\n'.repeat(MIB)), subject: false },
    { title: '1 MiB of CR only', input: b('\r'.repeat(MIB)) },
    { title: '1 MiB of NUL only', input: Buffer.alloc(MIB) },
    { title: '10 MiB of random bytes', input: new Rng(SEED).bytes(10 * MIB) },
    {
      title: 'over --size-limit: 65 and 5.2.3, nothing delivered',
      input: b(`Subject: [fuzz]\n\n${'x'.repeat(4 * KIB)}\n`),
      extraArgs: ['--size-limit', '1K'],
      rejected: { exit: 65, code: '5.2.3' },
    },
    {
      title: 'over --size-limit with --exit-codes qmail: 100 and 5.2.3',
      input: b(`Subject: [fuzz]\n\n${'\0'.repeat(4 * KIB)}`),
      extraArgs: ['--size-limit', '1K', '--exit-codes', 'qmail'],
      rejected: { exit: 100, code: '5.2.3' },
    },
  ];

  for (const c of fixed) {
    for (const way of ['arguments', 'rules', 'dry-run'] as const) {
      it(`${c.title} (${way})`, () => check(c, way));
    }
  }

  const rng = new Rng(SEED);
  for (let n = 0; n < CASES; n++) {
    const c = randomCase(rng.fork(), n);
    const way: Way = n % 5 === 4 ? 'dry-run' : n % 2 === 0 ? 'rules' : 'arguments';
    it(`random case ${n} (${way}): ${c.title}`, () => check(c, way));
  }
});
