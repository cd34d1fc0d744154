// What the journal counts as "the same message" (DESIGN.md guarantee 3): the same input bytes,
// ignoring a leading mbox From_ line, which Postfix and Exim stamp anew on every attempt. A
// message seen before is delivered only to maildirs that do not hold it yet; any other byte
// difference makes another message. Without the journal (--no-journal), nothing is remembered.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertOneCopyEach, assertSilentSuccess } from './fault-helpers';
import { listMaildir, readNew, runCli, sandbox } from './harness';
import {
  defaultStateDir,
  digestOf,
  journalOf,
  maildirsIn,
  names,
  readRecordIn,
  snapshot,
  stamped,
} from './journal-helpers';

let serial = 0;
/** A message no other test sends. */
function freshMessage(subject: string): string {
  serial += 1;
  return (
    `From: ci@example.org\nTo: bb@example.org\nMessage-ID: <dedupe.${serial}.${process.pid}@example.org>\n` +
    `Subject: ${subject}\n\nThe body of a message that is delivered more than once.\n`
  );
}

describe('the same message again', () => {
  const box = sandbox();
  after(() => box.remove());
  let group = 0;
  const maildirs = (...targets: string[]): string[] => {
    group += 1;
    return targets.map((name) => box.maildir(`g${group}/${name}`));
  };

  it('delivered twice, the second time behind another From_ line: the second run exits 0 silently and adds nothing; so does a third without any From_ line', async () => {
    const dirs = maildirs('a', 'b', 'c');
    const message = freshMessage('twice');
    assertSilentSuccess(await runCli(dirs, { input: stamped(message, 1) }));
    assertOneCopyEach(dirs, message);
    const journal = journalOf(defaultStateDir());
    const first = readRecordIn(journal.done, digestOf(message));
    assert.ok(first !== undefined, 'the delivery is recorded in the default journal, under $HOME');

    assertSilentSuccess(await runCli(dirs, { input: stamped(message, 2) }));
    assertOneCopyEach(dirs, message); // also: the second run's own tmp copies are gone
    assertSilentSuccess(await runCli(dirs, { input: message }));
    assertOneCopyEach(dirs, message);
    assert.deepEqual(readRecordIn(journal.done, digestOf(message)), first, 'the record is unchanged');
    assert.deepEqual(names(journal.pending), []);
  });

  it('after a consumer took the copies from new/ into cur/ (as Buildbot and mail readers do): a retry still adds nothing', async () => {
    const dirs = maildirs('a', 'b');
    const message = freshMessage('consumed');
    assertSilentSuccess(await runCli(dirs, { input: stamped(message, 1) }));
    for (const dir of dirs) {
      for (const name of readdirSync(join(dir, 'new')))
        renameSync(join(dir, 'new', name), join(dir, 'cur', `${name}:2,S`));
    }
    assertSilentSuccess(await runCli(dirs, { input: stamped(message, 2) }));
    for (const dir of dirs) {
      const listing = listMaildir(dir);
      assert.deepEqual(
        { tmp: listing.tmp, new: listing.new, curCount: listing.cur.length },
        { tmp: [], new: [], curCount: 1 },
        dir,
      );
    }
  });

  it('a different message with an identical body and one header different (Message-ID): delivered as a new message', async () => {
    const dirs = maildirs('a', 'b', 'c');
    const message = freshMessage('same body');
    const other = message.replace(/Message-ID: <([^>]*)>/, 'Message-ID: <other.$1>');
    assert.notEqual(other, message);
    assertSilentSuccess(await runCli(dirs, { input: stamped(message, 1) }));
    assertSilentSuccess(await runCli(dirs, { input: stamped(other, 2) }));
    for (const dir of dirs) {
      assert.deepEqual(readNew(dir).map(String).sort(), [message, other].sort(), `both messages in ${dir}`);
    }
  });

  it('a message that differs in one byte of the body (CRLF for LF at the end): delivered as a new message', async () => {
    const dirs = maildirs('a', 'b');
    const message = freshMessage('one byte');
    const other = `${message.slice(0, -1)}\r\n`;
    assertSilentSuccess(await runCli(dirs, { input: message }));
    assertSilentSuccess(await runCli(dirs, { input: other }));
    for (const dir of dirs) assert.equal(readNew(dir).length, 2, `two messages in ${dir}`);
  });

  it('the config gains a target: the retry of a message a and b already hold delivers it only to the new target c; another retry adds nothing', async () => {
    const [a, b, c] = maildirs('a', 'b', 'c') as [string, string, string];
    const message = freshMessage('new target');
    // journal.dir in the config, relative to the config's folder.
    const journalConfig = { dir: `g${group}/state` };
    const config = (paths: string[]): string =>
      box.config(
        { targets: paths.map((path) => ({ name: path.split('/').pop(), path })), journal: journalConfig },
        `g${group}.json`,
      );
    assertSilentSuccess(await runCli(['--config', config([a, b])], { input: stamped(message, 1) }));
    assertOneCopyEach([a, b], message);
    assert.deepEqual(listMaildir(c), { tmp: [], new: [], cur: [] });

    assertSilentSuccess(await runCli(['--config', config([a, b, c])], { input: stamped(message, 2) }));
    assertOneCopyEach([a, b, c], message);
    const journal = journalOf(join(box.dir, journalConfig.dir));
    const record = readRecordIn(journal.done, digestOf(message));
    assert.ok(record !== undefined, 'the journal is in journal.dir');
    assert.deepEqual(maildirsIn(record), [a, b, c].sort(), 'the record now names all three');
    assert.deepEqual(
      record.copies.map((copy) => copy.maildir),
      [c],
      'this run published only to c',
    );

    assertSilentSuccess(await runCli(['--config', config([a, b, c])], { input: stamped(message, 3) }));
    assertOneCopyEach([a, b, c], message);
  });

  // Without the journal a delivery still delivers, once per run: nothing is remembered, so the
  // same message twice makes two copies (README, "Limits and caveats").
  for (const how of ['--no-journal', 'journal.enabled false in the config'] as const) {
    it(`${how}: a second delivery of the same message adds a second copy (documented), and no journal is written`, async () => {
      const dirs = maildirs('a', 'b');
      const message = freshMessage(how);
      const state = join(box.dir, `g${group}/state`);
      const args =
        how === '--no-journal'
          ? ['--no-journal', '--state-dir', state, ...dirs]
          : [
              '--config',
              box.config(
                {
                  targets: dirs.map((path, i) => ({ name: `t${i}`, path })),
                  journal: { enabled: false, dir: state },
                },
                `g${group}.json`,
              ),
            ];
      assertSilentSuccess(await runCli(args, { input: stamped(message, 1) }));
      assertSilentSuccess(await runCli(args, { input: stamped(message, 2) }));
      for (const dir of dirs) {
        assert.deepEqual(readNew(dir).map(String), [message, message], `two copies in ${dir}`);
        assert.deepEqual(listMaildir(dir).tmp, []);
      }
      assert.ok(!existsSync(state), 'nothing is written to the state folder');
    });
  }

  it('--dry-run of a message every target already holds: says so for each target, exits 0, and writes nothing', async () => {
    const dirs = maildirs('a', 'b', 'c');
    const message = freshMessage('dry run');
    const state = join(box.dir, `g${group}/state`);
    assertSilentSuccess(await runCli(['--state-dir', state, ...dirs], { input: stamped(message, 1) }));
    const before = [...dirs, state].map((dir) => snapshot(dir));

    const dry = await runCli(['--dry-run', '--state-dir', state, ...dirs], { input: stamped(message, 2) });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stderr, '');
    assert.match(dry.stdout, new RegExp(`sha256 ${digestOf(message)}`));
    for (const dir of dirs) {
      assert.ok(
        dry.stdout.includes(`  ${dir}: ${dir}\n    state: ready; already holds this message: skipped\n`),
        `${dir} already holds it:\n${dry.stdout}`,
      );
    }
    assert.match(dry.stdout, /^result: already delivered to 3 targets/m);
    assert.deepEqual(
      [...dirs, state].map((dir) => snapshot(dir)),
      before,
      'no file or folder was added, removed or changed',
    );
  });

  it('--dry-run of a message 2 of 3 targets hold: says which, and that it would deliver to the third', async () => {
    const [a, b, c] = maildirs('a', 'b', 'c') as [string, string, string];
    const message = freshMessage('dry run, part');
    const state = join(box.dir, `g${group}/state`);
    assertSilentSuccess(await runCli(['--state-dir', state, a, b], { input: stamped(message, 1) }));
    const dry = await runCli(['--dry-run', '--state-dir', state, a, b, c], { input: stamped(message, 2) });
    assert.equal(dry.code, 0, dry.stderr);
    assert.ok(dry.stdout.includes(`  ${c}: ${c}\n    state: ready\n`), dry.stdout);
    assert.match(
      dry.stdout,
      /^result: already delivered to 2 targets; would deliver to the other 1 target$/m,
    );
    assert.deepEqual(listMaildir(c), { tmp: [], new: [], cur: [] });
  });
});
