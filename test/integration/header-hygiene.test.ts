// Trace headers built from the environment are safe (DESIGN.md, Security): SENDER, RECIPIENT,
// RPLINE and DTLINE come from the envelope of mail from anyone on the Internet ("These
// environment variables are not quoted", qmail-command(8)). Whatever they hold, the delivered
// file starts with exactly two header lines, Return-Path and Delivered-To, each at most 998
// octets (RFC 5322 §2.1.1; RFC 6532 §3.4 for 8-bit text) and free of CR and control
// characters, so no sender can inject a header line of its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cliPath, listMaildir, readNew, runCli, sandbox, type RunResult } from './harness';
import { qmailCommand, qmailEnv, runQmailCommand, shellWord } from './qmail-helpers';

const MESSAGE = Buffer.from('From: s@example.org\nSubject: hygiene\n\nbody\n');
/** Every control character an environment variable can hold: all of C0 but NUL, and DEL. */
const CONTROLS = String.fromCharCode(...Array.from({ length: 31 }, (_, i) => i + 1), 0x7f);
/** A header injection attempt, as a sender or recipient address. */
const INJECT = 'evil@example.org>\r\nBcc: victim@example.org\r\nX-Injected: yes\r\n<x';
/** RFC 5322 §2.1.1: 998 (RFC 6532 §3.4: octets) plus the line end. */
const MAX_LINE = 998;

/** The two header lines put in front of MESSAGE in `file`. */
function traceLines(file: Buffer): Buffer[] {
  assert.ok(file.subarray(-MESSAGE.length).equals(MESSAGE), 'the message is not at the end, intact');
  const prefix = file.subarray(0, file.length - MESSAGE.length);
  const lines: Buffer[] = [];
  for (let start = 0; start < prefix.length;) {
    const end = prefix.indexOf(0x0a, start);
    assert.notEqual(end, -1, 'the added text does not end with a newline');
    lines.push(prefix.subarray(start, end));
    start = end + 1;
  }
  return lines;
}

/** Delivered exactly one file with exactly two clean trace lines and no injected header. */
function assertClean(result: RunResult, maildir: string): void {
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout + result.stderr, '');
  assert.deepEqual(listMaildir(maildir).tmp, []);
  const files = readNew(maildir);
  assert.equal(files.length, 1);
  const file = files[0]!;
  const lines = traceLines(file);
  assert.equal(lines.length, 2, `not two lines: ${JSON.stringify(lines.map(String))}`);
  assert.ok(lines[0]!.toString('latin1').startsWith('Return-Path: '), String(lines[0]));
  assert.ok(lines[1]!.toString('latin1').startsWith('Delivered-To: '), String(lines[1]));
  for (const line of lines) {
    assert.ok(line.length <= MAX_LINE, `a line of ${line.length} octets`);
    assert.ok(!line.includes(0x0d), 'a CR');
    assert.ok(
      !line.some((byte) => byte < 0x20 || byte === 0x7f),
      `a control character: ${JSON.stringify(line.toString('latin1'))}`,
    );
  }
  const header = file.toString('latin1').split('\n\n')[0]!.split('\n');
  assert.deepEqual(
    header.filter((line) => /^(bcc|x-injected):/i.test(line)),
    [],
    'an injected header line',
  );
}

describe('hostile envelope values: exactly two clean trace lines', () => {
  const box = sandbox();
  after(() => box.remove());
  let run = 0;
  const place = () => {
    const name = `h${++run}`;
    const maildir = box.maildir(`${name}/home/M`);
    return { home: join(box.dir, name, 'home'), maildir, file: box.file(`${name}/msg`, MESSAGE, 0o600) };
  };

  // --trace-headers always: Return-Path from $SENDER, Delivered-To from $RECIPIENT.
  // prettier-ignore
  const always: [string, Record<string, string>][] = [
    ['CR/LF header injection in SENDER and RECIPIENT', { SENDER: INJECT, RECIPIENT: `bb@example.org\nBcc: victim@example.org` }],
    ['bare LF and bare CR', { SENDER: 'a@b\nX-Injected: yes', RECIPIENT: 'bb@example.org\rBcc: victim@example.org' }],
    ['every control character', { SENDER: `a${CONTROLS}b`, RECIPIENT: `c${CONTROLS}d` }],
    ['5000 characters each', { SENDER: 's'.repeat(5000), RECIPIENT: 'r'.repeat(5000) }],
    ['5000 characters each, with CR/LF every 100', { SENDER: `${'s'.repeat(99)}\n`.repeat(50), RECIPIENT: `Bcc: x\r\n${'r'.repeat(92)}`.repeat(50) }],
    ['non-ASCII text', { SENDER: 'café@exämple.org', RECIPIENT: 'bb@exämple.org ✓' }],
    ['regression: 5000 non-ASCII characters each (over 998 octets in UTF-8, RFC 6532 §3.4)', { SENDER: 'é'.repeat(5000), RECIPIENT: 'ü'.repeat(5000) }],
    ['the null sender of a bounce', { SENDER: '', RECIPIENT: 'bb@example.org' }],
  ];
  for (const [title, vars] of always) {
    it(`--trace-headers always, by hand: ${title}`, async () => {
      const p = place();
      const result = await runCli(['--trace-headers', 'always', p.maildir], { input: MESSAGE, env: vars });
      assertClean(result, p.maildir);
    });

    it(`--trace-headers always, under Postfix: ${title}`, async () => {
      const p = place();
      const env = { ...vars, ORIGINAL_RECIPIENT: 'bb@example.org', DOMAIN: 'example.org', LOCAL: 'bb' };
      const result = await runCli(['--trace-headers', 'always', p.maildir], { input: MESSAGE, env });
      assertClean(result, p.maildir);
    });
  }

  // qmail mode: $RPLINE and $DTLINE, as qmail-local sets them, but hostile.
  // prettier-ignore
  const qmail: [string, Record<string, string>][] = [
    ['CR/LF header injection in RPLINE and DTLINE', { RPLINE: `Return-Path: <${INJECT}>\n`, DTLINE: 'Delivered-To: bb@example.org\r\nBcc: victim@example.org\n' }],
    ['a second line in each', { RPLINE: 'Return-Path: <s@example.org>\nX-Injected: yes\n', DTLINE: 'Delivered-To: bb@example.org\nBcc: victim@example.org\n' }],
    ['every control character', { RPLINE: `Return-Path: <${CONTROLS}>\n`, DTLINE: `Delivered-To: ${CONTROLS}\n` }],
    ['5000 characters each', { RPLINE: `Return-Path: <${'s'.repeat(5000)}>\n`, DTLINE: `Delivered-To: ${'r'.repeat(5000)}\n` }],
    ['no trailing newlines', { RPLINE: 'Return-Path: <s@example.org>', DTLINE: 'Delivered-To: bb@example.org' }],
    ['regression: 5000 non-ASCII characters each (over 998 octets in UTF-8, RFC 6532 §3.4)', { RPLINE: `Return-Path: <${'é'.repeat(5000)}>\n`, DTLINE: `Delivered-To: ${'ü'.repeat(5000)}\n` }],
  ];
  for (const [title, change] of qmail) {
    for (const mode of ['auto', 'always']) {
      it(`qmail, --trace-headers ${mode}: ${title}`, async () => {
        const p = place();
        const command = qmailCommand(['--trace-headers', mode, 'M']);
        const result = await runQmailCommand(command, p.file, qmailEnv(p.home, change));
        assertClean(result, p.maildir);
      });
    }
  }

  it('qmail: RPLINE and DTLINE of 8-bit bytes that are not UTF-8', async () => {
    const p = place();
    // An environment cannot be given raw bytes from JavaScript: the shell sets them.
    const command =
      "RPLINE=$(printf 'Return-Path: <caf\\351\\377\\200@ex\\344mple.org>\\n_'); RPLINE=${RPLINE%_}; " +
      "DTLINE=$(printf 'Delivered-To: \\351\\r\\nBcc: victim@example.org\\n_'); DTLINE=${DTLINE%_}; " +
      `export RPLINE DTLINE; exec ${qmailCommand(['M'])}`;
    const result = await runQmailCommand(command, p.file, qmailEnv(p.home));
    assertClean(result, p.maildir);
  });

  it('--trace-headers always: SENDER and RECIPIENT of 8-bit bytes that are not UTF-8, with CR/LF', async () => {
    const p = place();
    const command =
      "SENDER=$(printf 'caf\\351\\r\\nBcc: victim@example.org'); " +
      "RECIPIENT=$(printf '\\377\\376bb@example.org\\nX-Injected: yes'); " +
      `export SENDER RECIPIENT; exec ${shellWord(cliPath())} --trace-headers always M`;
    const result = await runQmailCommand(command, p.file, { PATH: '/usr/bin:/bin', HOME: p.home });
    assertClean(result, p.maildir);
  });

  it('qmail: an RPLINE or DTLINE that is not a Return-Path or Delivered-To line is left out, not written', async () => {
    const p = place();
    const change = { RPLINE: 'Bcc: victim@example.org\n', DTLINE: 'X-Injected: yes\n' };
    const result = await runQmailCommand(qmailCommand(['M']), p.file, qmailEnv(p.home, change));
    assert.equal(result.code, 0, result.stderr);
    const file = readFileSync(join(p.maildir, 'new', listMaildir(p.maildir).new[0]!));
    assert.deepEqual(file, MESSAGE);
  });
});
