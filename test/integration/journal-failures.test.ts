// The journal itself failing (DESIGN.md guarantee 3 and "Exit status"): it never loses mail and
// never crashes. A journal that cannot be written is a temporary failure with nothing delivered
// (the operator fixes it while the MTA keeps the message); a record that cannot be read is put
// aside in corrupt/ and the delivery goes on (at worst a duplicate, never a loss); without any
// folder for the journal, the line says what to set.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { recordName } from '../../src/journal/layout';
import { serializeRecord } from '../../src/journal/record';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  EX_TEMPFAIL,
} from './fault-helpers';
import { runCli, sandbox } from './harness';
import {
  assertNoCrash,
  digestOf,
  journalOf,
  maildirsIn,
  names,
  prepareJournal,
  readRecordIn,
  runCliWithEnv,
  stamped,
} from './journal-helpers';

let serial = 0;
function freshMessage(subject: string): string {
  serial += 1;
  return (
    `From: ci@example.org\nTo: bb@example.org\nMessage-ID: <failures.${serial}.${process.pid}@example.org>\n` +
    `Subject: ${subject}\n\nbody\n`
  );
}

describe('the journal failing', () => {
  const box = sandbox();
  after(() => box.remove());
  let group = 0;
  const setUp = (): { dirs: string[]; state: string } => {
    group += 1;
    return {
      dirs: ['a', 'b', 'c'].map((name) => box.maildir(`g${group}/${name}`)),
      state: join(box.dir, `g${group}/state`),
    };
  };

  const unwritable = [
    {
      what: 'the state folder (still empty)',
      prepare: (state: string): string => {
        mkdirSync(state, { mode: 0o700 });
        box.own(state);
        return state;
      },
    },
    {
      what: 'pending/ of an existing journal',
      prepare: (state: string) => prepareJournal(state, (path) => box.own(path)).pending,
    },
    {
      what: 'locks/ of an existing journal',
      prepare: (state: string) => prepareJournal(state, (path) => box.own(path)).locks,
    },
  ] as const;
  for (const folder of unwritable) {
    it(`${folder.what} not writable by the user (mode 0500): exit 75, 4.2.0 naming the journal folder, nothing delivered, no tmp file left; once fixed, the retry delivers`, async () => {
      const { dirs, state } = setUp();
      const path = folder.prepare(state);
      chmodSync(path, 0o500);
      const message = freshMessage(`unwritable ${folder.what}`);
      const args = ['--state-dir', state, ...dirs];
      const failed = await runCli(args, { input: stamped(message, 1) });
      assertFailure(
        failed,
        EX_TEMPFAIL,
        '4.2.0',
        `journal ${journalOf(state).root}`,
        'permission denied (EACCES)',
      );
      assertNothingDelivered(dirs);

      chmodSync(path, 0o700);
      assertSilentSuccess(await runCli(args, { input: stamped(message, 2) }));
      assertOneCopyEach(dirs, message);
    });
  }

  const unreadable = [
    { what: 'garbage', text: () => 'not a record at all \u0000\u00ff' },
    { what: 'empty', text: () => '' },
    {
      what: 'zero-filled (a power loss on a file system without data ordering)',
      text: () => '\u0000'.repeat(300),
    },
    { what: 'truncated', text: (good: string) => good.slice(0, Math.floor(good.length / 2)) },
    {
      what: 'the record of another message',
      text: (good: string) => good.replaceAll(/"digest": "[0-9a-f]+"/g, `"digest": "${'0'.repeat(64)}"`),
    },
  ] as const;
  for (const where of ['done', 'pending'] as const) {
    for (const bad of unreadable) {
      it(`a ${bad.what} ${where}/<digest>.json: the delivery succeeds (exit 0, silent, one copy in each), the record is moved to corrupt/, no stack trace`, async () => {
        const { dirs, state } = setUp();
        const layout = prepareJournal(state, (path) => box.own(path));
        const message = freshMessage(`${bad.what} ${where}`);
        const digest = digestOf(message);
        // What a well-formed record would say: every target has it (from an earlier, lost run).
        const good = serializeRecord({
          version: 1,
          digest,
          host: 'elsewhere',
          pid: 1,
          created: new Date().toISOString(),
          delivered: dirs,
          copies: [],
        });
        const text = bad.text(good);
        const path = join(where === 'done' ? layout.done : layout.pending, recordName(digest));
        writeFileSync(path, text, { mode: 0o600 });
        box.own(path);

        const result = await runCli(['--state-dir', state, ...dirs], { input: stamped(message, 1) });
        assertNoCrash(result);
        assertSilentSuccess(result);
        assertOneCopyEach(dirs, message);
        const moved = names(layout.corrupt);
        assert.equal(moved.length, 1, `corrupt/ holds the record: ${moved.join(' ')}`);
        assert.ok(moved[0]!.startsWith(`${recordName(digest)}.`), moved[0]);
        assert.equal(readFileSync(join(layout.corrupt, moved[0]!), 'utf8'), text, 'kept as it was');
        assert.deepEqual(names(layout.pending), []);
        assert.deepEqual(
          maildirsIn(readRecordIn(layout.done, digest)!),
          [...dirs].sort(),
          'a new, good record',
        );
      });
    }
  }

  it('no $HOME, no $XDG_STATE_HOME and no journal.dir: exit 75, 4.3.5 saying to set HOME or journal.dir, nothing delivered', async () => {
    const { dirs } = setUp();
    const result = await runCliWithEnv(dirs, stamped(freshMessage('no home'), 1), {});
    assertFailure(result, EX_TEMPFAIL, '4.3.5', 'HOME', 'journal.dir');
    assertNothingDelivered(dirs);
  });

  it('$HOME relative (not a usable home) and no journal.dir: exit 75, 4.3.5 saying to set HOME or journal.dir', async () => {
    const { dirs } = setUp();
    const result = await runCliWithEnv(dirs, freshMessage('relative home'), { HOME: 'home' });
    assertFailure(result, EX_TEMPFAIL, '4.3.5', 'HOME', 'journal.dir');
    assertNothingDelivered(dirs);
  });

  it('no $HOME but $XDG_STATE_HOME: delivered, and the journal is in $XDG_STATE_HOME/maildir-fanout', async () => {
    const { dirs, state } = setUp();
    const message = freshMessage('xdg');
    prepareJournal(state, (path) => box.own(path)); // only so that $XDG_STATE_HOME exists and belongs to the user
    assertSilentSuccess(await runCliWithEnv(dirs, message, { XDG_STATE_HOME: state }));
    assertOneCopyEach(dirs, message);
    const record = readRecordIn(journalOf(join(state, 'maildir-fanout')).done, digestOf(message));
    assert.ok(record !== undefined, 'recorded under $XDG_STATE_HOME/maildir-fanout');
  });

  it('no $HOME but journal.dir in the config: delivered, and the journal is there', async () => {
    const { dirs, state } = setUp();
    const message = freshMessage('journal.dir');
    const config = box.config(
      { targets: dirs.map((path, i) => ({ name: `t${i}`, path })), journal: { dir: state } },
      `g${group}.json`,
    );
    assertSilentSuccess(await runCliWithEnv(['--config', config], message, {}));
    assertOneCopyEach(dirs, message);
    assert.ok(readRecordIn(journalOf(state).done, digestOf(message)) !== undefined);
  });
});
