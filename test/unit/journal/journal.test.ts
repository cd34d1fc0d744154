// The journal as delivery uses it (open → writeIntent → complete → release), the read-only peek
// of --dry-run, and recoverOthers(), against real folders: the records, the locks and the
// maildirs are files, as in production; the clock, pid and host are injected.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openJournal, type Journal } from '../../../src/journal/journal';
import { recordName } from '../../../src/journal/layout';
import {
  parseRecord,
  serializeRecord,
  type JournalCopy,
  type JournalRecord,
} from '../../../src/journal/record';
import { nodeFileSystem } from '../../../src/maildir/file-system';

const NOW = Date.parse('2025-11-27T10:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const digest = (n: number): string => n.toString(16).padStart(64, 'a');
const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('openJournal', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-journal-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  let clock = NOW;
  /** A journal in a fresh state folder, and a folder for maildirs. */
  const setUp = (): { journal: Journal; state: string; dir: string } => {
    n += 1;
    const state = join(root, `state-${n}`);
    let names = 0;
    const journal = openJournal({
      stateDir: state,
      keepDays: 8,
      host: 'testhost',
      pid: 4242,
      now: () => clock,
      fs: nodeFileSystem,
      names: { next: () => `fresh${++names}` },
    });
    return { journal, state, dir: join(root, `maildirs-${n}`) };
  };
  /** A maildir with one synced tmp copy of `content`; the copy as a record names it. */
  const stagedCopy = (dir: string, name: string, content = 'message'): JournalCopy => {
    const maildir = join(dir, name);
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(maildir, sub), { recursive: true });
    const file = `1764237600.M0P9${name}.host`;
    writeFileSync(join(maildir, 'tmp', file), content);
    return { target: name, maildir, tmp: join(maildir, 'tmp', file), new: join(maildir, 'new', file) };
  };
  /** Writes a record as a dead run left it. */
  const plant = (folder: string, record: JournalRecord): string => {
    mkdirSync(folder, { recursive: true });
    const path = join(folder, recordName(record.digest));
    writeFileSync(path, serializeRecord(record));
    return path;
  };
  const recordOf = (d: number, copies: JournalCopy[], delivered: string[] = []): JournalRecord => ({
    version: 1,
    digest: digest(d),
    host: 'testhost',
    pid: 99,
    created: new Date(NOW - HOUR).toISOString(),
    delivered,
    copies,
  });

  it('the layout: <state>/journal/<host>/…', () => {
    const { journal, state } = setUp();
    assert.equal(journal.layout.root, join(state, 'journal', 'testhost'));
  });

  it('a new message: open creates the folders, holds the lock, and knows no maildir', async () => {
    const { journal } = setUp();
    const entry = await journal.open(digest(1));
    assert.equal(entry.delivered.size, 0);
    for (const folder of ['pending', 'done', 'locks', 'corrupt']) {
      assert.ok(existsSync(join(journal.layout.root, folder)), folder);
    }
    assert.deepEqual(list(journal.layout.locks), [`${digest(1)}.lock`]);
    await entry.release();
    assert.deepEqual(list(journal.layout.locks), []);
  });

  it('writeIntent writes a complete record to pending/; complete moves it to done/', async () => {
    const { journal, dir } = setUp();
    const copies = [stagedCopy(dir, 'a'), stagedCopy(dir, 'b')];
    const entry = await journal.open(digest(2));
    await entry.writeIntent(copies);
    const pendingPath = join(journal.layout.pending, recordName(digest(2)));
    assert.deepEqual(parseRecord(readFileSync(pendingPath, 'utf8'), digest(2)), {
      version: 1,
      digest: digest(2),
      host: 'testhost',
      pid: 4242,
      created: '2025-11-27T10:00:00.000Z',
      delivered: [],
      copies,
    });
    assert.deepEqual(list(journal.layout.pending), [recordName(digest(2))], 'no temp file left beside it');
    await entry.complete();
    await entry.release();
    assert.deepEqual(list(journal.layout.pending), []);
    assert.deepEqual(list(journal.layout.done), [recordName(digest(2))]);
  });

  it('the same message again: open says which maildirs hold it; a new intent carries them in `delivered`', async () => {
    const { journal, dir } = setUp();
    const [a, b, c] = [stagedCopy(dir, 'a'), stagedCopy(dir, 'b'), stagedCopy(dir, 'c')];
    const first = await journal.open(digest(3));
    await first.writeIntent([a, b]);
    await first.complete();
    await first.release();

    const second = await journal.open(digest(3));
    assert.deepEqual([...second.delivered].sort(), [a.maildir, b.maildir]);
    await second.writeIntent([c]);
    const pending = parseRecord(
      readFileSync(join(journal.layout.pending, recordName(digest(3))), 'utf8'),
      digest(3),
    );
    assert.deepEqual(pending?.delivered.slice().sort(), [a.maildir, b.maildir]);
    await second.complete();
    await second.release();
    const third = await journal.open(digest(3));
    assert.deepEqual([...third.delivered].sort(), [a.maildir, b.maildir, c.maildir]);
    await third.release();
  });

  it("open finishes a dead run's pending record of the same message first: publishes what is still in tmp/, once", async () => {
    const { journal, dir } = setUp();
    const [a, b] = [stagedCopy(dir, 'a'), stagedCopy(dir, 'b')];
    // The dead run had published a, not b.
    mkdirSync(journal.layout.root, { recursive: true });
    writeFileSync(a.new, readFileSync(a.tmp));
    rmSync(a.tmp);
    plant(journal.layout.pending, recordOf(4, [a, b]));

    const entry = await journal.open(digest(4));
    assert.deepEqual([...entry.delivered].sort(), [a.maildir, b.maildir]);
    await entry.release();
    for (const copy of [a, b]) {
      assert.deepEqual(
        [list(join(copy.maildir, 'tmp')), list(join(copy.maildir, 'new'))],
        [[], [copy.new.split('/').pop()]],
      );
    }
    assert.deepEqual(list(journal.layout.pending), []);
    assert.deepEqual(list(journal.layout.done), [recordName(digest(4))]);
  });

  it('open fails if the pending record cannot be finished (a new/ is gone): the lock is released, the record stays pending', async () => {
    const { journal, dir } = setUp();
    const a = stagedCopy(dir, 'a');
    rmSync(join(a.maildir, 'new'), { recursive: true });
    plant(journal.layout.pending, recordOf(5, [a]));
    await assert.rejects(journal.open(digest(5)), { code: 'ENOENT' });
    assert.deepEqual(list(journal.layout.locks), []);
    assert.deepEqual(list(journal.layout.pending), [recordName(digest(5))]);
    assert.deepEqual(list(join(a.maildir, 'tmp')), [a.tmp.split('/').pop()]);
  });

  for (const [what, text] of [
    ['garbage', 'garbage'],
    ['truncated', serializeRecord(recordOf(6, [], ['/m'])).slice(0, 40)],
    ['of another message', serializeRecord(recordOf(7, [], ['/m']))],
  ] as const) {
    it(`a ${what} done/ record: moved to corrupt/<name>.<now>, and the message counts as new`, async () => {
      const { journal } = setUp();
      mkdirSync(journal.layout.done, { recursive: true });
      writeFileSync(join(journal.layout.done, recordName(digest(6))), text);
      const entry = await journal.open(digest(6));
      assert.equal(entry.delivered.size, 0);
      await entry.release();
      assert.deepEqual(list(journal.layout.done), []);
      assert.deepEqual(list(journal.layout.corrupt), [`${recordName(digest(6))}.${NOW}`]);
      assert.equal(
        readFileSync(join(journal.layout.corrupt, `${recordName(digest(6))}.${NOW}`), 'utf8'),
        text,
      );
    });
  }

  describe('peek (for --dry-run)', () => {
    it('a state folder that does not exist: nothing known, and nothing is created', async () => {
      const { journal, state } = setUp();
      assert.deepEqual(await journal.peek(digest(1)), { delivered: new Set(), pending: false });
      assert.ok(!existsSync(state));
    });

    it('a done record: its maildirs; no lock taken', async () => {
      const { journal, dir } = setUp();
      const a = stagedCopy(dir, 'a');
      plant(journal.layout.done, recordOf(8, [a], ['/srv/x']));
      mkdirSync(journal.layout.locks, { recursive: true });
      assert.deepEqual(await journal.peek(digest(8)), {
        delivered: new Set(['/srv/x', a.maildir]),
        pending: false,
      });
      assert.deepEqual(list(journal.layout.locks), []);
    });

    it('a pending record: pending, and its copies count as delivered (a run finishes it before anything else), yet nothing is published', async () => {
      const { journal, dir } = setUp();
      const a = stagedCopy(dir, 'a');
      plant(journal.layout.pending, recordOf(9, [a], ['/srv/x']));
      assert.deepEqual(await journal.peek(digest(9)), {
        delivered: new Set(['/srv/x', a.maildir]),
        pending: true,
      });
      assert.deepEqual(list(join(a.maildir, 'tmp')).length, 1, 'nothing published');
    });

    it('a garbage record: as if absent, and left where it is (peek writes nothing)', async () => {
      const { journal } = setUp();
      mkdirSync(journal.layout.done, { recursive: true });
      writeFileSync(join(journal.layout.done, recordName(digest(10))), 'garbage');
      assert.deepEqual(await journal.peek(digest(10)), { delivered: new Set(), pending: false });
      assert.deepEqual(list(journal.layout.done), [recordName(digest(10))]);
    });
  });

  describe('recoverOthers', () => {
    it("rolls forward other messages' pending records whose lock is free, and moves them to done/", async () => {
      const { journal, dir } = setUp();
      const [a, b] = [stagedCopy(dir, 'a'), stagedCopy(dir, 'b')];
      plant(journal.layout.pending, recordOf(11, [a]));
      plant(journal.layout.pending, recordOf(12, [b]));
      await journal.recoverOthers();
      assert.deepEqual(list(journal.layout.pending), []);
      assert.deepEqual(list(journal.layout.done), [recordName(digest(11)), recordName(digest(12))]);
      for (const copy of [a, b]) assert.ok(existsSync(copy.new) && !existsSync(copy.tmp));
      assert.deepEqual(list(journal.layout.locks), []);
    });

    it('skips a record whose lock a live run holds (younger than 10 s); breaks a stale one', async () => {
      const { journal, dir } = setUp();
      const [a, b] = [stagedCopy(dir, 'a'), stagedCopy(dir, 'b')];
      plant(journal.layout.pending, recordOf(13, [a]));
      plant(journal.layout.pending, recordOf(14, [b]));
      mkdirSync(join(journal.layout.locks, `${digest(13)}.lock`), { recursive: true });
      const stale = join(journal.layout.locks, `${digest(14)}.lock`);
      mkdirSync(stale);
      const old = new Date(Date.now() - 60_000);
      utimesSync(stale, old, old);
      await journal.recoverOthers();
      assert.deepEqual(list(journal.layout.pending), [recordName(digest(13))], 'the live one is left alone');
      assert.ok(existsSync(a.tmp) && !existsSync(a.new));
      assert.deepEqual(list(journal.layout.done), [recordName(digest(14))]);
      assert.ok(existsSync(b.new) && !existsSync(b.tmp));
      assert.deepEqual(list(journal.layout.locks), [`${digest(13)}.lock`]);
    });

    it('leaves the record of `exceptDigest` (the caller finishes it under its own lock) and non-record names', async () => {
      const { journal, dir } = setUp();
      const a = stagedCopy(dir, 'a');
      plant(journal.layout.pending, recordOf(15, [a]));
      writeFileSync(join(journal.layout.pending, `${recordName(digest(16))}.12345`), '{"half": ');
      await journal.recoverOthers(digest(15));
      assert.deepEqual(
        list(journal.layout.pending),
        [recordName(digest(15)), `${recordName(digest(16))}.12345`].sort(),
      );
      assert.ok(existsSync(a.tmp));
    });

    it("a record that cannot be finished (another message's broken target) stays pending; the others are finished; no throw", async () => {
      const { journal, dir } = setUp();
      const [a, b] = [stagedCopy(dir, 'a'), stagedCopy(dir, 'b')];
      rmSync(join(a.maildir, 'new'), { recursive: true });
      plant(journal.layout.pending, recordOf(17, [a]));
      plant(journal.layout.pending, recordOf(18, [b]));
      await journal.recoverOthers();
      assert.deepEqual(list(journal.layout.pending), [recordName(digest(17))]);
      assert.deepEqual(list(journal.layout.done), [recordName(digest(18))]);
      assert.deepEqual(list(journal.layout.locks), []);
    });

    it('a garbage pending record is moved to corrupt/', async () => {
      const { journal } = setUp();
      mkdirSync(journal.layout.pending, { recursive: true });
      writeFileSync(join(journal.layout.pending, recordName(digest(19))), '\u0000\u0000\u0000');
      await journal.recoverOthers();
      assert.deepEqual(list(journal.layout.pending), []);
      assert.deepEqual(list(journal.layout.corrupt), [`${recordName(digest(19))}.${NOW}`]);
    });

    it('prunes done/ records older than keepDays, by the injected clock', async () => {
      const { journal } = setUp();
      plant(journal.layout.done, recordOf(20, []));
      clock = Date.now() + 8 * DAY + HOUR;
      try {
        await journal.recoverOthers();
      } finally {
        clock = NOW;
      }
      assert.deepEqual(list(journal.layout.done), []);
    });
  });
});
