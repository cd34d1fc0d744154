// --dry-run (-n): reads the message and runs the same pre-checks and copy plan as a delivery,
// looks the message up in the journal, prints the plan (src/delivery/explain.ts) and writes
// nothing at all.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listMaildir, runCli, sandbox, testHome, type RunResult } from './harness';
import { folder } from './readers';

const FROM_LINE = 'From sender@example.org Sat Jan  3 01:05:34 1996';
const BODY = 'From: a@example.org\r\nSubject: dry run\r\n\r\nbody\r\n';
const MESSAGE = `${FROM_LINE}\n${BODY}`;
const BODY_BYTES = Buffer.byteLength(BODY); // what would be delivered: the From_ line removed
const BODY_SHA256 = createHash('sha256').update(BODY).digest('hex'); // the message's journal key

/** The journal folder under a state folder: one per host, "/" and ":" escaped as in names. */
const journalOf = (stateDir: string): string =>
  join(stateDir, 'journal', hostname().replaceAll('/', '\\057').replaceAll(':', '\\072'));
/** The default state folder of the CLI: $HOME/.local/state/maildir-fanout, $HOME the test's. */
const DEFAULT_JOURNAL = journalOf(join(testHome(), '.local/state/maildir-fanout'));

/** Unique names differ on each run: <sec>.M<usec>P<pid>Q<n>R<16 hex>.<host> becomes NAME. */
function withoutNames(report: string): string {
  return report.replace(/\/(tmp|new)\/\d+\.M\d{6}P\d+Q\d+R[0-9a-f]{16}\.[^\s/]+/g, '/$1/NAME');
}

/** Every line of the report, names normalised. */
const linesOf = (result: RunResult): string[] => withoutNames(result.stdout).split('\n');

/** The four report lines of one target. */
function targetLines(name: string, path: string, state: string, copy: string): string[] {
  return [
    `  ${name}: ${path}`,
    `    state: ${state}`,
    `    file: ${path}/tmp/NAME -> ${path}/new/NAME (name differs on each run)`,
    `    copy: ${copy}`,
  ];
}

/** tmp/, new/ and cur/ all empty. */
function assertUntouched(dir: string): void {
  assert.deepEqual(listMaildir(dir), { tmp: [], new: [], cur: [] }, dir);
}

describe('--dry-run', () => {
  const box = sandbox();
  after(() => box.remove());
  let run = 0;
  const place = () => {
    const name = `t${++run}`;
    const root = folder(box.dir, name);
    return {
      root,
      maildir: (relative: string): string => box.maildir(`${name}/${relative}`),
      config: (value: unknown): string => box.config(value, `${name}/targets.json`),
    };
  };

  describe('with a From_ line, 4 targets: two alike, one 0640, one missing with "create": true', () => {
    const p = place();
    const [a, b, c] = [p.maildir('a'), p.maildir('b'), p.maildir('c')];
    const d = join(p.root, 'd');
    const config = p.config({
      targets: [
        { name: 'a', path: a },
        { name: 'b', path: b },
        { name: 'c', path: c, mode: '0640' },
        { name: 'd', path: d, create: true },
      ],
    });
    let result: RunResult;
    before(async () => {
      result = await runCli(['--config', config, '--dry-run'], { input: MESSAGE });
    });

    it('exits 0 with nothing on stderr', () => {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
    });

    it('prints exactly the plan: limits, message, From_ line, every target, the result', () => {
      assert.deepEqual(linesOf(result), [
        'maildir-fanout --dry-run: nothing is written.',
        `config: ${config}`,
        'limits: size 536870912 bytes, timeout 900 s, hard links on',
        `journal: ${DEFAULT_JOURNAL}`,
        `message: ${BODY_BYTES} bytes would be delivered, sha256 ${BODY_SHA256}`,
        `From_ line: removed: "${FROM_LINE}"`,
        'caller: unknown',
        'headers added: none (trace headers: auto)',
        'targets: 4',
        ...targetLines('a', a, 'ready', 'written from the message, mode 0600'),
        ...targetLines('b', b, 'ready', 'hard link to the file of target a, mode 0600'),
        ...targetLines('c', c, 'ready', 'written from the message, mode 0640'),
        ...targetLines(
          'd',
          d,
          'missing: would be created (mode 0700)',
          'written from the message, mode 0600',
        ),
        'result: would deliver one copy to each of 4 targets',
        '',
      ]);
    });

    it('reports the removed From_ line, and the byte count and SHA-256 without it', () => {
      const lines = linesOf(result);
      assert.ok(lines.includes(`From_ line: removed: "${FROM_LINE}"`), result.stdout);
      assert.ok(
        lines.includes(`message: ${BODY_BYTES} bytes would be delivered, sha256 ${BODY_SHA256}`),
        result.stdout,
      );
    });

    it('names every target with its path and whether it would be written or hard-linked', () => {
      const lines = linesOf(result);
      for (const [name, path, how] of [
        ['a', a, 'written from the message'],
        ['b', b, 'hard link to the file of target a'],
        ['c', c, 'written from the message'],
        ['d', d, 'written from the message'],
      ] as const) {
        const at = lines.indexOf(`  ${name}: ${path}`);
        assert.notEqual(at, -1, `target ${name} is listed:\n${result.stdout}`);
        assert.match(lines[at + 3] ?? '', new RegExp(`^    copy: ${how}, mode 0[0-7]{3}$`));
      }
    });

    it('writes nothing: tmp/, new/ and cur/ of every maildir stay empty', () => {
      [a, b, c].forEach(assertUntouched);
    });

    it('does not create the missing "create": true maildir, and says it would', () => {
      assert.equal(existsSync(d), false);
      assert.ok(linesOf(result).includes('    state: missing: would be created (mode 0700)'), result.stdout);
    });
  });

  it('-n prints the same plan as --dry-run', async () => {
    const p = place();
    const config = p.config({ targets: [{ name: 'a', path: p.maildir('a') }] });
    const long = await runCli(['--config', config, '--dry-run'], { input: MESSAGE });
    const short = await runCli(['--config', config, '-n'], { input: MESSAGE });
    assert.equal(short.code, 0, short.stderr);
    assert.equal(withoutNames(short.stdout), withoutNames(long.stdout));
    assert.match(short.stdout, /^maildir-fanout --dry-run: nothing is written\.\n/);
  });

  it('without a From_ line, says "From_ line: none" and counts every input byte', async () => {
    const p = place();
    const dir = p.maildir('a');
    const input = Buffer.from('Subject: x\r\n\r\n\0\xff\xfe no eol', 'latin1');
    const result = await runCli(['-n', dir], { input });
    assert.equal(result.code, 0, result.stderr);
    const lines = linesOf(result);
    const sha256 = createHash('sha256').update(input).digest('hex');
    assert.ok(
      lines.includes(`message: ${input.length} bytes would be delivered, sha256 ${sha256}`),
      result.stdout,
    );
    assert.ok(lines.includes('From_ line: none'), result.stdout);
    assertUntouched(dir);
  });

  it('an empty message is reported as 0 bytes', async () => {
    const p = place();
    const dir = p.maildir('a');
    const result = await runCli(['-n', dir], { input: '' });
    assert.equal(result.code, 0, result.stderr);
    const sha256 = createHash('sha256').digest('hex');
    assert.ok(
      linesOf(result).includes(`message: 0 bytes would be delivered, sha256 ${sha256}`),
      result.stdout,
    );
    assertUntouched(dir);
  });

  for (const [how, settings, args] of [
    ['"hardLinks": false', { hardLinks: false }, []],
    ['--copy', {}, ['--copy']],
  ] as const) {
    it(`with ${how}, every target would be written from the message and hard links are off`, async () => {
      const p = place();
      const dirs = [p.maildir('a'), p.maildir('b'), p.maildir('c')];
      const config = p.config({ targets: dirs.map((path, i) => ({ name: `t${i}`, path })), ...settings });
      const result = await runCli(['--config', config, '-n', ...args], { input: MESSAGE });
      assert.equal(result.code, 0, result.stderr);
      const lines = linesOf(result);
      assert.ok(lines.includes('limits: size 536870912 bytes, timeout 900 s, hard links off'), result.stdout);
      assert.deepEqual(
        lines.filter((line) => line.startsWith('    copy: ')),
        dirs.map(() => '    copy: written from the message, mode 0600'),
      );
      dirs.forEach(assertUntouched);
    });
  }

  it('shows the limits of the config: sizeLimit "50M" as 52428800 bytes, timeout 30 s', async () => {
    const p = place();
    const config = p.config({
      targets: [{ name: 'a', path: p.maildir('a') }],
      sizeLimit: '50M',
      timeout: 30,
    });
    const result = await runCli(['--config', config, '-n'], { input: MESSAGE });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      linesOf(result).includes('limits: size 52428800 bytes, timeout 30 s, hard links on'),
      result.stdout,
    );
  });

  it('with maildirs on the command line, says so and lists each one as a target', async () => {
    const p = place();
    const dirs = [p.maildir('a'), p.maildir('b')];
    const result = await runCli(['--dry-run', ...dirs], { input: MESSAGE });
    assert.equal(result.code, 0, result.stderr);
    const lines = linesOf(result);
    assert.equal(lines[1], 'config: (maildirs from the command line)');
    assert.ok(lines.includes('targets: 2'), result.stdout);
    for (const dir of dirs) assert.ok(lines.includes(`  ${dir}: ${dir}`), result.stdout);
    assert.equal(lines.at(-2), 'result: would deliver one copy to each of 2 targets');
    dirs.forEach(assertUntouched);
  });

  describe('with a missing maildir and no "create"', () => {
    const p = place();
    const [a, c] = [p.maildir('a'), p.maildir('c')];
    const b = join(p.root, 'b');
    const config = p.config({
      targets: [
        { name: 'a', path: a },
        { name: 'b', path: b },
        { name: 'c', path: c },
      ],
    });
    const failure = `4.2.1 target b: maildir ${b} does not exist`;
    let result: RunResult;
    before(async () => {
      result = await runCli(['--config', config, '--dry-run'], { input: MESSAGE });
    });

    it('exits 75 with the one-line diagnostic naming the target on stderr', () => {
      assert.equal(result.code, 75);
      assert.equal(result.stderr, `4.2.1 maildir-fanout: target b: maildir ${b} does not exist\n`);
    });

    it('the report marks the failing target and ends with "would fail"', () => {
      const lines = linesOf(result);
      const at = lines.indexOf(`  b: ${b}`);
      assert.notEqual(at, -1, result.stdout);
      assert.equal(lines[at + 1], `    state: FAILS: ${failure}`);
      assert.equal(lines[lines.indexOf(`  a: ${a}`) + 1], '    state: ready');
      assert.equal(lines.at(-2), `result: would fail: ${failure}`);
    });

    it('writes nothing, and does not create the missing maildir', () => {
      [a, c].forEach(assertUntouched);
      assert.equal(existsSync(b), false);
    });
  });

  it('a message over the size limit: exit 65, the report says rejected, nothing written', async () => {
    const p = place();
    const dir = p.maildir('a');
    const result = await runCli(['-n', '--size-limit', '10', dir], { input: MESSAGE });
    assert.equal(result.code, 65, result.stderr);
    const rejected = `5.2.3 message is ${BODY_BYTES} bytes, over the size limit of 10 bytes`;
    const lines = linesOf(result);
    assert.ok(lines.includes(`message: rejected: ${rejected}`), result.stdout);
    assert.equal(lines.at(-2), `result: would fail: ${rejected}`);
    assert.equal(
      result.stderr,
      `5.2.3 maildir-fanout: message is ${BODY_BYTES} bytes, over the size limit of 10 bytes\n`,
    );
    assertUntouched(dir);
  });

  describe('the journal', () => {
    it('--state-dir: names <dir>/journal/<host>, and creates nothing there', async () => {
      const p = place();
      const dir = p.maildir('a');
      const state = join(p.root, 'state');
      const result = await runCli(['-n', '--state-dir', state, dir], { input: MESSAGE });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(linesOf(result).includes(`journal: ${journalOf(state)}`), result.stdout);
      assert.equal(existsSync(state), false, 'the dry run created the state folder');
      assertUntouched(dir);
    });

    it('--no-journal: "journal: off"', async () => {
      const p = place();
      const result = await runCli(['-n', '--no-journal', p.maildir('a')], { input: MESSAGE });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(linesOf(result).includes('journal: off'), result.stdout);
    });

    it('after a delivered the message: a "already holds this message: skipped", b would get it; the journal unchanged', async () => {
      const p = place();
      const [a, b] = [p.maildir('a'), p.maildir('b')];
      const state = join(p.root, 'state');
      const delivered = await runCli(['--state-dir', state, a], { input: MESSAGE });
      assert.equal(delivered.code, 0, delivered.stderr);
      const records = readdirSync(state, { recursive: true }).sort();
      const restamped = MESSAGE.replace('01:05:34', '01:09:00'); // the MTA's retry: a new From_ line
      const result = await runCli(['-n', '--state-dir', state, a, b], { input: restamped });
      assert.equal(result.code, 0, result.stderr);
      const lines = linesOf(result);
      assert.equal(
        lines[lines.indexOf(`  ${a}: ${a}`) + 1],
        '    state: ready; already holds this message: skipped',
      );
      assert.equal(lines[lines.indexOf(`  ${b}: ${b}`) + 1], '    state: ready');
      assert.equal(
        lines.at(-2),
        'result: already delivered to 1 target; would deliver to the other 1 target',
      );
      assert.deepEqual(
        readdirSync(state, { recursive: true }).sort(),
        records,
        'the dry run changed the journal',
      );
      assert.equal(listMaildir(a).new.length, 1);
      assertUntouched(b);
    });
  });
});
