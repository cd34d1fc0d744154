// Under qmail: a `|maildir-fanout A B C` line of ~/.qmail, run as qmail-local runs it
// (qmail-helpers.ts). A qmail |command gets no trace headers, so by default the tool puts
// $RPLINE$DTLINE in front, as qmail's own maildir delivery does; and, like qmail-local's
// bouncexf(), a message that already has our Delivered-To line in its header is a loop
// (anchors-mda.md §2.1, §4.4): bounced (5.4.6), nothing delivered.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listMaildir, readNew, sandbox } from './harness';
import { DTLINE, qmailCommand, qmailEnv, RPLINE, runQmailCommand } from './qmail-helpers';

/** A message as qmail-local hands it over: no From_ line, no Return-Path, no Delivered-To. */
const MESSAGE = Buffer.from(
  'Received: from mx.example.org by example.org\nFrom: s@example.org\nTo: bb-foo@example.org\n' +
    'Message-ID: <q1@example.org>\nSubject: caf\xe9\n\nbody line 1\n\x00 8-bit \xff\nlast line without newline',
  'latin1',
);
/** What qmail's own maildir delivery writes for it: RPLINE, DTLINE, the message. */
const AS_QMAIL_WRITES = Buffer.concat([Buffer.from(RPLINE + DTLINE), MESSAGE]);
const LOOPING = Buffer.from(`Received: x\n${DTLINE}Subject: loop\n\nbody\n`);
const LOOP_IN_BODY = Buffer.from(`Subject: not a loop\n\nquoted:\n${DTLINE}`);

describe('under qmail: |maildir-fanout A B C in ~/.qmail', () => {
  const box = sandbox();
  after(() => box.remove());
  let run = 0;

  /** A home with maildirs A, B and C, and the message file in the queue. */
  function place(message: Buffer) {
    const name = `q${++run}`;
    const dirs = ['A', 'B', 'C'].map((d) => box.maildir(`${name}/home/${d}`));
    const home = join(box.dir, name, 'home');
    const file = box.file(`${name}/queue-message`, message, 0o600);
    return { home, dirs, file };
  }

  const nothingIn = (dirs: readonly string[]): void => {
    for (const dir of dirs) assert.deepEqual(listMaildir(dir), { tmp: [], new: [], cur: [] }, dir);
  };

  describe('a delivery', () => {
    const p = place(MESSAGE);
    const done = runQmailCommand(qmailCommand(['A', 'B', 'C']), p.file, qmailEnv(p.home));

    it('exits 0 and prints nothing (qmail-send logs any output)', async () => {
      const result = await done;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout + result.stderr, '');
    });

    it('maildir arguments are relative to $HOME, the working directory qmail-local gives', async () => {
      await done;
      for (const dir of p.dirs) assert.equal(listMaildir(dir).new.length, 1, dir);
    });

    it("each copy is $RPLINE$DTLINE then the message, byte for byte, as qmail's maildir delivery writes", async () => {
      await done;
      for (const dir of p.dirs) assert.deepEqual(readNew(dir), [AS_QMAIL_WRITES], dir);
    });

    it('nothing left in tmp/; the copies are mode 0600', async () => {
      await done;
      for (const dir of p.dirs) {
        const listing = listMaildir(dir);
        assert.deepEqual(listing.tmp, [], dir);
        assert.equal(statSync(join(dir, 'new', listing.new[0]!)).mode & 0o777, 0o600, dir);
      }
    });
  });

  it('--trace-headers none: the message alone, no header added', async () => {
    const p = place(MESSAGE);
    const result = await runQmailCommand(
      qmailCommand(['--trace-headers', 'none', 'A', 'B', 'C']),
      p.file,
      qmailEnv(p.home),
    );
    assert.equal(result.code, 0, result.stderr);
    for (const dir of p.dirs) assert.deepEqual(readNew(dir), [MESSAGE], dir);
  });

  it('--trace-headers none: a message with our Delivered-To line is delivered (no line added, no loop check)', async () => {
    const p = place(LOOPING);
    const result = await runQmailCommand(
      qmailCommand(['--trace-headers', 'none', 'A']),
      p.file,
      qmailEnv(p.home),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readNew(p.dirs[0]!), [LOOPING]);
  });

  describe('a loop: the exact Delivered-To line already in the header', () => {
    // prettier-ignore
    const table: [string, string[], number][] = [
      ['sysexits: exit 65 (hard for every MTA)', [], 65],
      ['--exit-codes qmail: exit 100 (qmail\'s hard error)', ['--exit-codes', 'qmail'], 100],
    ];
    for (const [title, options, code] of table) {
      it(`${title}; stderr starts with 5.4.6; nothing delivered, no tmp file left`, async () => {
        const p = place(LOOPING);
        const result = await runQmailCommand(
          qmailCommand([...options, 'A', 'B', 'C']),
          p.file,
          qmailEnv(p.home),
        );
        assert.equal(result.code, code, result.stderr);
        assert.match(result.stderr, /^5\.4\.6 /);
        assert.match(result.stderr, /looping/);
        assert.equal(result.stdout, '');
        nothingIn(p.dirs);
      });
    }

    it('with CRLF line ends: a loop too', async () => {
      const p = place(Buffer.from(`Subject: loop\r\n${DTLINE.replace('\n', '\r\n')}\r\nbody\r\n`));
      const result = await runQmailCommand(qmailCommand(['A', 'B', 'C']), p.file, qmailEnv(p.home));
      assert.equal(result.code, 65, result.stderr);
      nothingIn(p.dirs);
    });

    it('the same line only in the body: delivered', async () => {
      const p = place(LOOP_IN_BODY);
      const result = await runQmailCommand(qmailCommand(['A', 'B', 'C']), p.file, qmailEnv(p.home));
      assert.equal(result.code, 0, result.stderr);
      const expected = Buffer.concat([Buffer.from(RPLINE + DTLINE), LOOP_IN_BODY]);
      for (const dir of p.dirs) assert.deepEqual(readNew(dir), [expected], dir);
    });

    it("another recipient's Delivered-To line (another address of the same user): delivered", async () => {
      const message = Buffer.from('Delivered-To: bb-bar@example.org\nSubject: x\n\nbody\n');
      const p = place(message);
      const result = await runQmailCommand(qmailCommand(['A']), p.file, qmailEnv(p.home));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(listMaildir(p.dirs[0]!).new.length, 1);
    });
  });

  describe('--exit-codes qmail', () => {
    it('a missing maildir: 111 (qmail defers), 4.2.1 on stderr, nothing delivered anywhere', async () => {
      const p = place(MESSAGE);
      const result = await runQmailCommand(
        qmailCommand(['--exit-codes', 'qmail', 'A', 'B', 'missing']),
        p.file,
        qmailEnv(p.home),
      );
      assert.equal(result.code, 111, result.stderr);
      assert.match(result.stderr, /^4\.2\.1 /);
      nothingIn(p.dirs.slice(0, 2));
    });

    it('a delivery: 0', async () => {
      const p = place(MESSAGE);
      const result = await runQmailCommand(
        qmailCommand(['--exit-codes', 'qmail', 'A']),
        p.file,
        qmailEnv(p.home),
      );
      assert.equal(result.code, 0, result.stderr);
    });
  });

  describe('qmail retries: the same queue file, rewound, run again', () => {
    const p = place(MESSAGE);
    const command = qmailCommand(['A', 'B', 'C']);
    const runs = (async () => {
      const first = await runQmailCommand(command, p.file, qmailEnv(p.home));
      const second = await runQmailCommand(command, p.file, qmailEnv(p.home));
      return { first, second };
    })();

    it('both runs exit 0, silently', async () => {
      const { first, second } = await runs;
      for (const result of [first, second]) {
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout + result.stderr, '');
      }
    });

    it('the journal adds no second copy: one copy in each maildir', async () => {
      await runs;
      for (const dir of p.dirs) assert.deepEqual(readNew(dir), [AS_QMAIL_WRITES], dir);
    });

    it('the journal lives under $HOME (~/.local/state/maildir-fanout)', async () => {
      await runs;
      assert.ok(statSync(join(p.home, '.local/state/maildir-fanout')).isDirectory());
    });

    it('the queue file is not changed', async () => {
      await runs;
      assert.deepEqual(readFileSync(p.file), MESSAGE);
    });
  });

  it('--dry-run names qmail as the caller and shows $RPLINE$DTLINE as the headers added', async () => {
    const p = place(MESSAGE);
    const result = await runQmailCommand(qmailCommand(['--dry-run', 'A']), p.file, qmailEnv(p.home));
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.ok(lines.includes('caller: qmail (RPLINE, DTLINE set)'), result.stdout);
    assert.ok(lines.includes(`headers added: ${JSON.stringify(RPLINE + DTLINE)}`), result.stdout);
    nothingIn(p.dirs);
  });
});
