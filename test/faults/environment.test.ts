// Hostile environment values (issue 9). The MTA hands the tool the envelope of mail from anyone on
// the Internet in environment variables (qmail-command(8): "These environment variables are not
// quoted"): SENDER, RECIPIENT, qmail's RPLINE/DTLINE/NEWSENDER/UFLINE/…, Postfix's
// ORIGINAL_RECIPIENT/CLIENT_*, Exim's MESSAGE_ID/LOCAL_PART/…. src/mta/caller.ts reads them,
// src/mta/trace-headers.ts builds Return-Path/Delivered-To from SENDER/RECIPIENT or
// RPLINE/DTLINE, and src/log/line.ts logs the caller. test/integration/header-hygiene.test.ts
// pins a list of fixed cases; this file is the seeded fuzz over every variable of every MTA's
// set, with values made of CR, LF, header text, control bytes, bytes that are not UTF-8 (set by
// /bin/sh from printf: Node cannot spawn with a byte environment) and very long runs.
//
// Property (README, "Under each MTA" and Security): exit 0, silent; the delivered file is the
// message byte-exact behind at most one Return-Path and one Delivered-To line, each present
// exactly when README says, each a well-formed header line (valid UTF-8, no control character,
// at most 998 octets); no other header line appears; the log line stays one line; a dry run
// prints no control character. Seeded: FAULTS_SEED (default below), FAULTS_ENV_CASES (default 60).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliPath, listMaildir, readNew, sandbox, testHome } from '../integration/harness';
import {
  assertNoCrash,
  countFromEnvironment,
  describeRun,
  diagnosticCode,
  explained,
  keepInput,
  Rng,
  runBounded,
  runShellBounded,
  seedFromEnvironment,
} from './fuzz-lab';

const SEED = seedFromEnvironment(0x9b0003);
const CASES = countFromEnvironment('FAULTS_ENV_CASES', 60);
const MESSAGE = Buffer.from('From: s@example.org\nTo: bb@example.org\nSubject: hostile env\n\nbody\n');
/** RFC 5322 §2.1.1 (RFC 6532 §3.4: in octets), without the line end. */
const MAX_LINE = 998;

type Persona = 'qmail' | 'postfix' | 'exim' | 'sendmail' | 'unknown';
type Mode = 'auto' | 'always' | 'none';

/** The variables each MTA sets for a |command (anchors-mda.md §4, qmail-command(8), local(8), Exim pipe). */
const VARIABLES: Record<Persona, readonly string[]> = {
  qmail: [
    'SENDER',
    'NEWSENDER',
    'RECIPIENT',
    'USER',
    'HOST',
    'LOCAL',
    'EXT',
    'EXT2',
    'HOST2',
    'RPLINE',
    'DTLINE',
    'UFLINE',
  ],
  postfix: [
    'ORIGINAL_RECIPIENT',
    'SENDER',
    'RECIPIENT',
    'DOMAIN',
    'LOCAL',
    'EXTENSION',
    'USER',
    'LOGNAME',
    'SHELL',
    'CLIENT_ADDRESS',
    'CLIENT_HOSTNAME',
    'CLIENT_HELO',
    'CLIENT_PROTOCOL',
    'SASL_USERNAME',
  ],
  exim: ['MESSAGE_ID', 'LOCAL_PART', 'QUALIFY_DOMAIN', 'DOMAIN', 'SENDER', 'RECIPIENT', 'LOCAL_PART_PREFIX'],
  sendmail: ['SENDER', 'RECIPIENT'],
  unknown: ['SENDER', 'RECIPIENT'],
};

/** Pieces of hostile values, as bytes. */
const PIECES: readonly Buffer[] = [
  'a@example.org',
  '<',
  '>',
  ' ',
  ':',
  '\r',
  '\n',
  '\r\n',
  '\r\nBcc: victim@example.org\r\n',
  '\nX-Injected: yes\n',
  'Bcc: victim@example.org',
  '\t',
  '\x1b[31m',
  '\x7f',
  '\x01\x02\x0b\x0c',
  'é',
  '✓',
  '\u2028',
  '\u0085',
  '\ud7ff',
]
  .map((s) => Buffer.from(s, 'utf8'))
  .concat(
    [
      [0xff],
      [0xfe],
      [0x80],
      [0xe9],
      [0xc3, 0x28],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ].map((b) => Buffer.from(b)),
  );

function hostileValue(rng: Rng): Buffer {
  const parts: Buffer[] = [];
  for (let i = rng.between(1, 30); i > 0; i--) parts.push(rng.pick(PIECES));
  let value = Buffer.concat(parts);
  // Very long: an env string may be up to 128 KiB (MAX_ARG_STRLEN); stay well below.
  if (rng.chance(0.1))
    value = Buffer.concat(
      Array.from({ length: Math.ceil(rng.between(5_000, 60_000) / value.length) }, () => value),
    );
  return value;
}

/** qmail-local's line shape ("Return-Path: <…>\n"), usually, around a hostile value. */
function qmailLineValue(rng: Rng, name: string): Buffer {
  const value = hostileValue(rng);
  const shape = rng.int(5);
  if (shape === 0) return value; // not a line of that name: left out
  if (shape === 1) return Buffer.concat([Buffer.from(`${name}: `), value]); // no line end
  return Buffer.concat([
    Buffer.from(`${name}: ${name === 'Return-Path' ? '<' : ''}`),
    value,
    Buffer.from(name === 'Return-Path' ? '>\n' : '\n'),
  ]);
}

/** A /bin/sh word that makes exactly these bytes: $(printf '\ooo…'; printf _) without the _. */
function shellAssignment(name: string, value: Buffer): string {
  const octal = [...value].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
  return `${name}=$(printf '${octal}'; printf _); ${name}=\${${name}%_}; export ${name}\n`;
}

/** Each line of `prefix` (the text before the message), split at LF; fails on a missing LF. */
function lines(prefix: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < prefix.length;) {
    const end = prefix.indexOf(0x0a, start);
    assert.notEqual(end, -1, 'the added text does not end with LF');
    out.push(prefix.subarray(start, end));
    start = end + 1;
  }
  return out;
}

/** A header line fit for a maildir file: "Name: value", valid UTF-8, no control character, ≤ 998 octets. */
function assertWellFormed(line: Buffer, why: () => string): void {
  assert.ok(line.length <= MAX_LINE, `a line of ${line.length} octets; ${why()}`);
  assert.ok(
    !line.some((b) => b < 0x20 || b === 0x7f),
    `a control byte in ${JSON.stringify(line.toString('latin1').slice(0, 200))}; ${why()}`,
  );
  const text = line.toString('utf8');
  assert.ok(Buffer.from(text, 'utf8').equals(line), `not valid UTF-8 (RFC 6532); ${why()}`);
  assert.ok(!/[\u0080-\u009f]/.test(text), `a C1 control character; ${why()}`);
}

describe(`hostile MTA environments (FAULTS_SEED=${SEED})`, { concurrency: 2 }, () => {
  const box = sandbox();
  before(() => console.log(`environment: FAULTS_SEED=${SEED} FAULTS_ENV_CASES=${CASES}`));
  after(() => box.remove());

  const rng = new Rng(SEED);
  for (let n = 0; n < CASES; n++) {
    const r = rng.fork();
    const persona = r.pick<Persona>(['qmail', 'qmail', 'postfix', 'exim', 'sendmail', 'unknown']);
    const mode = r.pick<Mode>(['auto', 'always', 'always', 'none']);
    const dryRun = n % 4 === 3;
    const env = new Map<string, Buffer>();
    for (const name of VARIABLES[persona]) env.set(name, hostileValue(r));
    if (persona === 'qmail') {
      env.set('RPLINE', qmailLineValue(r, 'Return-Path'));
      env.set('DTLINE', qmailLineValue(r, 'Delivered-To'));
    }
    if (persona === 'sendmail') env.set('AGENT', Buffer.from('sendmail'));

    it(`case ${n}: ${persona}, --trace-headers ${mode}${dryRun ? ', --dry-run' : ''}`, async () => {
      const maildir = box.maildir(`e${n}/M`);
      const log = join(box.dir, `e${n}`, 'fanout.log');
      const script = [
        ...[...env].map(([name, value]) => shellAssignment(name, value)),
        `exec '${cliPath()}' ${dryRun ? '--dry-run ' : ''}--trace-headers ${mode} --log '${log}' '${maildir}'\n`,
      ].join('');
      const scriptPath = box.file(`e${n}/run.sh`, script, 0o644);
      const why = (): string => `case ${n} (seed ${SEED})`;
      const result = await runShellBounded(`. '${scriptPath}'`, MESSAGE, { HOME: testHome() });
      await explained(
        () => {
          assertNoCrash(result, why);
          assert.equal(result.code, 0, `${describeRun(result)}; ${why()}`);
          assert.equal(result.stderr, '', `${describeRun(result)}; ${why()}`);
          assert.deepEqual(listMaildir(maildir).tmp, [], why());
          if (dryRun) {
            assert.deepEqual(listMaildir(maildir).new, [], why());
            assert.ok(
              !/[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f]/.test(result.stdout),
              `a control character in the dry run's report; ${describeRun(result)}; ${why()}`,
            );
            assert.ok(!existsSync(log), `a dry run must not log; ${why()}`);
            return;
          }
          assert.equal(result.stdout, '', why());

          const files = readNew(maildir);
          assert.equal(files.length, 1, why());
          const file = files[0]!;
          assert.ok(
            file.subarray(-MESSAGE.length).equals(MESSAGE),
            `the message is not intact at the end; ${why()}`,
          );
          const added = lines(file.subarray(0, file.length - MESSAGE.length));
          for (const line of added) assertWellFormed(line, why);
          const names = added.map((line) => /^([\w-]+): /.exec(line.toString('latin1'))?.[1]);
          // README "Under each MTA": auto adds qmail's RPLINE/DTLINE only under qmail; always adds
          // them under qmail, and Return-Path from $SENDER / Delivered-To from $RECIPIENT elsewhere.
          const starts = (name: string, prefix: string): boolean =>
            env.get(name)?.subarray(0, prefix.length).equals(Buffer.from(prefix)) === true;
          const expected =
            mode === 'none' || (mode === 'auto' && persona !== 'qmail')
              ? []
              : persona === 'qmail'
                ? [
                    ...(starts('RPLINE', 'Return-Path: ') ? ['Return-Path'] : []),
                    ...(starts('DTLINE', 'Delivered-To: ') ? ['Delivered-To'] : []),
                  ]
                : [
                    ...(env.has('SENDER') ? ['Return-Path'] : []),
                    ...(env.has('RECIPIENT') ? ['Delivered-To'] : []),
                  ];
          assert.deepEqual(
            names,
            expected,
            `added lines ${JSON.stringify(added.map((l) => l.toString('latin1').slice(0, 80)))}; ${why()}`,
          );
          // Nothing else in the header: injected lines would show up as extra fields.
          const header = file.toString('latin1').split('\n\n')[0]!.split('\n');
          assert.deepEqual(
            header.filter((line) => /^(bcc|x-injected):/i.test(line)),
            [],
            why(),
          );

          const logged = readFileSync(log, 'utf8');
          assert.ok(
            logged.endsWith('\n') && logged.indexOf('\n') === logged.length - 1,
            `the log is not one line: ${JSON.stringify(logged)}; ${why()}`,
          );
          assert.ok(
            !/[\x00-\x09\x0b-\x1f\x7f]/.test(logged),
            `a control character in the log line; ${why()}`,
          );
          assert.match(logged, new RegExp(` status=delivered .* mta=${persona}\\n$`), why());
        },
        () => `script kept at ${keepInput(script, 'sh')}`,
      );
    });
  }
});

describe('hostile values of the variables that choose folders and the node binary', () => {
  const box = sandbox();
  after(() => box.remove());
  let serial = 0;

  /** Runs the CLI with exactly `env` (no $HOME unless given) into a fresh maildir. */
  async function deliverWith(env: Record<string, string>, args: readonly string[] = []) {
    const maildir = box.maildir(`f${++serial}/M`);
    const result = await runBounded([...args, maildir], { input: MESSAGE, env });
    return { maildir, result };
  }

  /** 0 and one byte-exact copy, or 75 with one diagnostic line and nothing delivered. */
  function assertDeliveredOrDeferred(
    run: { maildir: string; result: Awaited<ReturnType<typeof runBounded>> },
    what: string,
  ): string {
    const why = (): string => what;
    assertNoCrash(run.result, why);
    assert.deepEqual(listMaildir(run.maildir).tmp, [], why());
    if (run.result.code === 0) {
      assert.equal(run.result.stdout + run.result.stderr, '', describeRun(run.result));
      assert.deepEqual(readNew(run.maildir), [MESSAGE], why());
      return 'delivered';
    }
    assert.equal(run.result.code, 75, describeRun(run.result));
    const code = diagnosticCode(run.result, why);
    assert.deepEqual(listMaildir(run.maildir).new, [], why());
    return `deferred ${code}`;
  }

  it('HOME unset: 75, 4.3.5, the journal has no folder (README: set $HOME, journal.dir or --state-dir)', async () => {
    const run = await deliverWith({ HOME: '' }); // harness default is overridden; '' counts as unset below
    const outcome = assertDeliveredOrDeferred(run, 'HOME=""');
    assert.ok(['deferred 4.3.5', 'delivered'].includes(outcome), outcome);
  });

  /** Folder values; `tag` keeps the HOME and XDG_STATE_HOME runs apart. */
  const folders: [string, (tag: string) => string][] = [
    [
      'CR/LF and a header line in it (an existing folder)',
      (tag) => {
        const dir = join(box.dir, `${tag}\r\nBcc: victim@example.org\n`);
        mkdirSync(dir);
        box.own(dir);
        return dir;
      },
    ],
    ['5,000 characters', (tag) => join(box.dir, tag.repeat(5000 / tag.length))],
    ['relative', (tag) => `relative/${tag}`],
    ['a file', (tag) => box.file(`${tag}-file`, 'x')],
    ['control characters and escapes', (tag) => join(box.dir, `${tag}\x1b[31m\x07\x7f`)],
  ];
  for (const [title, make] of folders) {
    for (const variable of ['HOME', 'XDG_STATE_HOME']) {
      it(`${variable}: ${title}: delivered, or 75 with one diagnostic line; never a crash`, async () => {
        const run = await deliverWith({ [variable]: make(variable === 'HOME' ? 'home' : 'xdg') });
        const outcome = assertDeliveredOrDeferred(run, `${variable}: ${title}`);
        console.log(`${variable}, ${title}: ${outcome}`);
      });
    }
  }

  it('HOME and XDG_STATE_HOME of bytes that are not UTF-8 (set by the shell)', async () => {
    const maildir = box.maildir(`f${++serial}/M`);
    const script =
      `HOME=$(printf '${box.dir}/\\351\\377\\200'); export HOME; ` +
      `XDG_STATE_HOME=$(printf '${box.dir}/\\303\\050\\r\\n'; printf _); XDG_STATE_HOME=\${XDG_STATE_HOME%_}; export XDG_STATE_HOME; ` +
      `exec '${cliPath()}' '${maildir}'`;
    const result = await runShellBounded(script, MESSAGE);
    const outcome = assertDeliveredOrDeferred({ maildir, result }, script);
    console.log(`non-UTF-8 HOME and XDG_STATE_HOME: ${outcome}`);
  });

  it('MAILDIR_FANOUT_NODE with shell syntax is never run as a command: 75, nothing created', async () => {
    const marker = join(box.dir, 'pwned');
    for (const value of [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `/bin/sh -c 'touch ${marker}'`,
      `;touch ${marker}`,
    ]) {
      const run = await deliverWith({ MAILDIR_FANOUT_NODE: value });
      assertNoCrash(run.result, () => value);
      assert.equal(run.result.code, 75, describeRun(run.result));
      assert.equal(
        diagnosticCode(run.result, () => value),
        '4.3.5',
      );
      assert.ok(!existsSync(marker), `the value ${value} was run`);
    }
  });

  it('regression: a MAILDIR_FANOUT_NODE with a line break gave a diagnostic of two lines (the launcher echoed it raw); now one line', async () => {
    // bin/maildir-fanout: echo "4.3.5 maildir-fanout: cannot find node at $node …". MTAs keep only
    // the first line of the output (README, Exit status), so the cause is cut off, and a value
    // with "\n5.1.1 …" in it would put a second status line in front of the MTA.
    const run = await deliverWith({
      MAILDIR_FANOUT_NODE: '/nonexistent/node\n5.1.1 maildir-fanout: no such user',
    });
    assertNoCrash(run.result, () => 'MAILDIR_FANOUT_NODE with LF');
    assert.equal(run.result.code, 75, describeRun(run.result));
    diagnosticCode(run.result, () => 'MAILDIR_FANOUT_NODE with LF');
  });

  it('a script that runs the CLI with no environment at all (env -i): 75, 4.3.5, one line', async () => {
    const maildir = box.maildir(`f${++serial}/M`);
    const result = await runShellBounded(`exec /usr/bin/env -i '${cliPath()}' '${maildir}'`, MESSAGE);
    assertNoCrash(result, () => 'env -i');
    // No PATH: the launcher still finds node in /usr/bin; no HOME: no journal folder.
    assert.equal(result.code, 75, describeRun(result));
    assert.equal(
      diagnosticCode(result, () => 'env -i'),
      '4.3.5',
    );
    assert.deepEqual(listMaildir(maildir), { tmp: [], new: [], cur: [] });
  });
});
