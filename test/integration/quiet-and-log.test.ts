// --quiet and --log, as Exim wants them: its default address_pipe transport has return_output,
// so any output turns the delivery into a failure whatever the exit status (anchors-mda.md
// §4.1). --quiet prints nothing at all; --log FILE keeps one line per delivery instead
// (src/log/line.ts), appended with O_APPEND so that concurrent deliveries never interleave.
// A broken log never changes the exit status.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asRoot, listMaildir, readNew, runCli, sandbox, type RunResult } from './harness';

const MESSAGE = 'From: s@example.org\nMessage-ID: <ql1@example.org>\nSubject: log\n\nbody\n';
const SHA256 = createHash('sha256').update(MESSAGE).digest('hex');
const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

/** The lines of a log file (each ending in a newline), or [] if there is none. */
const logLines = (path: string): string[] =>
  existsSync(path) ? readFileSync(path, 'utf8').split(/(?<=\n)/) : [];

describe('--quiet and --log', () => {
  const box = sandbox();
  after(() => box.remove());
  let run = 0;
  const place = () => {
    const name = `l${++run}`;
    const maildir = box.maildir(`${name}/M`);
    return { root: join(box.dir, name), maildir, log: join(box.dir, name, 'mf.log') };
  };

  describe('--quiet', () => {
    it('a failure (a missing maildir): exit 75 and nothing at all on stdout or stderr', async () => {
      const p = place();
      const result = await runCli(['--quiet', join(p.root, 'missing')], { input: MESSAGE });
      assert.equal(result.code, 75);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, '');
    });

    it('without --quiet the same failure prints its diagnostic (the test above is not vacuous)', async () => {
      const p = place();
      const result = await runCli([join(p.root, 'missing')], { input: MESSAGE });
      assert.equal(result.code, 75);
      assert.match(result.stderr, /^4\.2\.1 /);
    });

    it('a permanent failure (over the size limit): exit 65, nothing printed', async () => {
      const p = place();
      const result = await runCli(['--quiet', '--size-limit', '10', p.maildir], { input: MESSAGE });
      assert.equal(result.code, 65);
      assert.equal(result.stdout + result.stderr, '');
    });

    it('"quiet": true in the config: a failure prints nothing', async () => {
      const p = place();
      const config = box.config(
        { targets: [{ name: 'gone', path: join(p.root, 'missing') }], quiet: true },
        `l${run}/t.json`,
      );
      const result = await runCli(['--config', config], { input: MESSAGE });
      assert.equal(result.code, 75);
      assert.equal(result.stdout + result.stderr, '');
    });

    it('a delivery: exit 0, nothing printed', async () => {
      const p = place();
      const result = await runCli(['--quiet', p.maildir], { input: MESSAGE });
      assert.equal(result.code, 0);
      assert.equal(result.stdout + result.stderr, '');
    });

    // Found while writing these tests: --quiet takes effect only once the settings are read
    // (cli/run.ts calls silence() after configure()), so an operator's mistake found before
    // that is printed, and Exim's return_output turns it into a bounce: a temporary failure
    // becomes permanent (DESIGN.md: "An operator's mistake ... is never permanent").
    // prettier-ignore
    const early: [string, (root: string) => string[]][] = [
      ['a missing config file', (root) => ['--config', join(root, 'nonexistent.json')]],
      ['an invalid config file', (root) => ['--config', writeBad(root)]],
      ['no targets at all', () => []],
    ];
    for (const [title, args] of early) {
      it(`regression: a refusal before the settings are read prints nothing either: ${title}`, async () => {
        const p = place();
        const result = await runCli(['--quiet', ...args(p.root)], { input: MESSAGE });
        assert.equal(result.code, 75, result.stderr);
        assert.equal(result.stdout + result.stderr, '');
      });
    }
  });

  /** A config that parses but is invalid (an empty target list), owned by the test user. */
  function writeBad(root: string): string {
    const path = join(root, 'bad.json');
    writeFileSync(path, '{"targets": []}', { mode: 0o600 });
    box.own(path);
    return path;
  }

  describe('--log FILE', () => {
    describe('a delivery', () => {
      const p = place();
      let result: RunResult;
      before(async () => {
        result = await runCli(['--log', p.log, p.maildir], { input: MESSAGE });
      });

      it('exits 0, prints nothing, delivers', () => {
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout + result.stderr, '');
        assert.deepEqual(readNew(p.maildir), [Buffer.from(MESSAGE)]);
      });

      it('logs one line: status=delivered with msgid, sha256, size, to=, ms', () => {
        const lines = logLines(p.log);
        assert.equal(lines.length, 1, lines.join(''));
        assert.match(
          lines[0]!,
          new RegExp(
            `^${TIME} maildir-fanout\\[\\d+\\]: status=delivered msgid=<ql1@example\\.org> sha256=${SHA256} ` +
              `size=${MESSAGE.length} to=${p.maildir.replaceAll('.', '\\.')} ms=\\d+ mta=unknown\\n$`,
          ),
        );
      });

      it('creates the log file with mode 0600', () => {
        assert.equal(statSync(p.log).mode & 0o777, 0o600);
      });
    });

    it('a failure (a missing maildir) is in the file: status=deferred code=4.2.1, to=-, and the text', async () => {
      const p = place();
      const missing = join(p.root, 'missing');
      const result = await runCli(['--quiet', '--log', p.log, missing], { input: MESSAGE });
      assert.equal(result.code, 75);
      assert.equal(result.stdout + result.stderr, '');
      const lines = logLines(p.log);
      assert.equal(lines.length, 1, lines.join(''));
      assert.match(
        lines[0]!,
        new RegExp(`^${TIME} maildir-fanout\\[\\d+\\]: status=deferred code=4\\.2\\.1 `),
      );
      assert.match(lines[0]!, / to=- /);
      assert.match(lines[0]!, / text="target .*does not exist"\n$/);
    });

    it('a retry of a delivered message: status=delivered, to=-, already= the maildir', async () => {
      const p = place();
      const state = join(p.root, 'state');
      await runCli(['--state-dir', state, '--log', p.log, p.maildir], { input: MESSAGE });
      const result = await runCli(['--state-dir', state, '--log', p.log, p.maildir], { input: MESSAGE });
      assert.equal(result.code, 0, result.stderr);
      const lines = logLines(p.log);
      assert.equal(lines.length, 2);
      assert.match(lines[1]!, / status=delivered .* to=- already=/);
      assert.equal(listMaildir(p.maildir).new.length, 1);
    });

    it('the log file appends: an existing line stays, its mode is kept', async () => {
      const p = place();
      writeFileSync(p.log, 'earlier line\n', { mode: 0o640 });
      box.own(p.log);
      const result = await runCli(['--log', p.log, p.maildir], { input: MESSAGE });
      assert.equal(result.code, 0, result.stderr);
      const lines = logLines(p.log);
      assert.equal(lines[0], 'earlier line\n');
      assert.match(lines[1] ?? '', / status=delivered /);
      assert.equal(statSync(p.log).mode & 0o777, 0o640);
    });

    it('a relative --log: against the working directory', async () => {
      const p = place();
      const result = await runCli(['--log', 'rel.log', p.maildir], { input: MESSAGE, cwd: p.root });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(logLines(join(p.root, 'rel.log')).length, 1);
    });

    it('"log" in the config: relative to the config\'s folder', async () => {
      const p = place();
      const config = box.config(
        { targets: [{ name: 'm', path: p.maildir }], log: 'cfg.log' },
        `l${run}/t.json`,
      );
      const result = await runCli(['--config', config], { input: MESSAGE });
      assert.equal(result.code, 0, result.stderr);
      assert.match(logLines(join(p.root, 'cfg.log'))[0] ?? '', / status=delivered .* to=m /);
    });

    it('a hostile Message-ID (CR, control characters, a forged field) stays on its one line', async () => {
      const p = place();
      const message = 'Message-ID: <a\r\u0001b@x> status=bounced\r\n\tmore\nSubject: x\n\nbody\n';
      const result = await runCli(['--log', p.log, p.maildir], { input: message });
      assert.equal(result.code, 0, result.stderr);
      const lines = logLines(p.log);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.doesNotMatch(lines[0]!.slice(0, -1), /[\u0000-\u001f\u007f]/);
      assert.match(lines[0]!, / msgid="<a__b@x> status=bounced more" /);
      assert.match(lines[0]!, /: status=delivered /);
    });

    describe('16 concurrent deliveries logging to one file', () => {
      const p = place();
      const messages = Array.from(
        { length: 16 },
        (_, n) => `Message-ID: <c${n}@example.org>\nSubject: ${n}\n\n${'x'.repeat(n * 500)}\n`,
      );
      let results: RunResult[];
      before(async () => {
        results = await Promise.all(messages.map((input) => runCli(['--log', p.log, p.maildir], { input })));
      });

      it('every delivery exits 0', () => {
        assert.deepEqual(
          results.map((r) => r.code),
          messages.map(() => 0),
        );
      });

      it('16 whole lines, none interleaved: one per message', () => {
        const lines = logLines(p.log);
        assert.equal(lines.length, 16, lines.join(''));
        for (const line of lines) {
          assert.match(
            line,
            new RegExp(
              `^${TIME} maildir-fanout\\[\\d+\\]: status=delivered msgid=<c\\d+@example\\.org> sha256=[0-9a-f]{64} size=\\d+ to=\\S+ ms=\\d+ mta=unknown\\n$`,
            ),
          );
        }
        const ids = lines
          .map((line) => /msgid=<c(\d+)@/.exec(line)?.[1])
          .sort((a, b) => Number(a) - Number(b));
        assert.deepEqual(
          ids,
          messages.map((_, n) => String(n)),
        );
      });

      it('each line names the size and digest of its own message', () => {
        for (const line of logLines(p.log)) {
          const n = Number(/msgid=<c(\d+)@/.exec(line)?.[1]);
          const message = messages[n]!;
          assert.ok(
            line.includes(
              ` sha256=${createHash('sha256').update(message).digest('hex')} size=${message.length} `,
            ),
            line,
          );
        }
      });
    });
  });

  describe('a log that cannot be written never changes the exit status', () => {
    // prettier-ignore
    const table: [string, (root: string) => string][] = [
      ['a missing folder', (root) => join(root, 'no', 'such', 'mf.log')],
      ['a folder', (root) => { const dir = join(root, 'dir.log'); mkdirSync(dir); return dir; }],
      ['a path through a file', (root) => { const file = join(root, 'file'); writeFileSync(file, ''); return join(file, 'mf.log'); }],
      ['a symlink (not followed)', (root) => { const target = join(root, 'target.log'); writeFileSync(target, ''); box.own(target); const link = join(root, 'link.log'); symlinkSync(target, link); return link; }],
      ...(asRoot ? [['a root-owned folder the delivering user cannot write', (root: string) => { const dir = join(root, 'root-only'); mkdirSync(dir, { mode: 0o755 }); return join(dir, 'mf.log'); }] as [string, (root: string) => string]] : []),
      ['/proc (read-only)', () => '/proc/mf.log'],
    ];
    for (const [title, destination] of table) {
      it(`${title}: still 0 on success, nothing printed, delivered`, async () => {
        const p = place();
        const log = destination(p.root);
        const result = await runCli(['--log', log, p.maildir], { input: MESSAGE });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout + result.stderr, '');
        assert.equal(listMaildir(p.maildir).new.length, 1);
      });

      it(`${title}: still 75 on a temporary failure`, async () => {
        const p = place();
        const result = await runCli(['--log', destination(p.root), join(p.root, 'missing')], {
          input: MESSAGE,
        });
        assert.equal(result.code, 75, result.stderr);
      });
    }

    it('a symlink is not followed: the file it points to stays empty', async () => {
      const p = place();
      const target = join(p.root, 'target.log');
      writeFileSync(target, '');
      box.own(target);
      symlinkSync(target, p.log);
      await runCli(['--log', p.log, p.maildir], { input: MESSAGE });
      assert.equal(readFileSync(target, 'utf8'), '');
    });
  });

  // Found while writing these tests: the log line is written only after deliver(); a failure
  // before it (config, refusal) is in neither the log nor, with --quiet, anywhere at all.
  it('regression: --quiet --log with a config that cannot be read: the failure is in the log', async () => {
    const p = place();
    const result = await runCli(['--quiet', '--log', p.log, '--config', join(p.root, 'nonexistent.json')], {
      input: MESSAGE,
    });
    assert.equal(result.code, 75);
    const lines = logLines(p.log);
    assert.equal(lines.length, 1, 'the failure is nowhere: not printed (--quiet), not logged');
    assert.match(lines[0]!, / status=deferred code=4\.3\.5 /);
  });
});
