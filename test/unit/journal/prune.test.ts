// Expiry keeps the journal bounded: completion and corrupt records older than keepDays go, and
// temporary record files older than a day; a pending record (a delivery not finished) never
// does. At most once an hour, by the clock the journal is given.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { journalLayout, recordName, type JournalLayout } from '../../../src/journal/layout';
import { pruneJournal } from '../../../src/journal/prune';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const KEEP_DAYS = 8;
const digest = (n: number): string => n.toString(16).padStart(64, '0');

describe('pruneJournal', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-prune-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const journal = (): JournalLayout => {
    const layout = journalLayout(join(root, `state-${++n}`), 'host');
    for (const dir of [layout.pending, layout.done, layout.locks, layout.corrupt])
      mkdirSync(dir, { recursive: true });
    return layout;
  };
  /** A file in `dir` whose mtime is `time` (ms since the epoch). */
  const file = (dir: string, name: string, time: number): string => {
    const path = join(dir, name);
    writeFileSync(path, '{}');
    utimesSync(path, new Date(time), new Date(time));
    return path;
  };
  const list = (dir: string): string[] => readdirSync(dir).sort();

  it(`done/ records older than keepDays (${KEEP_DAYS}) go; younger ones stay`, async () => {
    const layout = journal();
    const now = Date.now();
    file(layout.done, recordName(digest(1)), now - KEEP_DAYS * DAY - HOUR);
    file(layout.done, recordName(digest(2)), now - 30 * DAY);
    file(layout.done, recordName(digest(3)), now - KEEP_DAYS * DAY + HOUR);
    file(layout.done, recordName(digest(4)), now - 60_000);
    await pruneJournal(layout, KEEP_DAYS, () => now);
    assert.deepEqual(list(layout.done), [recordName(digest(3)), recordName(digest(4))]);
  });

  it('with an injected clock keepDays and an hour ahead, every record written now has expired', async () => {
    const layout = journal();
    const now = Date.now();
    for (let i = 0; i < 5; i++) file(layout.done, recordName(digest(i)), now);
    await pruneJournal(layout, KEEP_DAYS, () => now + KEEP_DAYS * DAY + HOUR);
    assert.deepEqual(list(layout.done), []);
  });

  it('keepDays 1 and 366, the bounds of the setting', async () => {
    const now = Date.now();
    const one = journal();
    file(one.done, recordName(digest(1)), now - DAY - HOUR);
    file(one.done, recordName(digest(2)), now - DAY + HOUR);
    await pruneJournal(one, 1, () => now);
    assert.deepEqual(list(one.done), [recordName(digest(2))]);
    const year = journal();
    file(year.done, recordName(digest(1)), now - 367 * DAY);
    file(year.done, recordName(digest(2)), now - 365 * DAY);
    await pruneJournal(year, 366, () => now);
    assert.deepEqual(list(year.done), [recordName(digest(2))]);
  });

  it('corrupt/ records older than keepDays go too', async () => {
    const layout = journal();
    const now = Date.now();
    file(layout.corrupt, `${recordName(digest(1))}.1700000000000`, now - KEEP_DAYS * DAY - HOUR);
    file(layout.corrupt, `${recordName(digest(2))}.1700000000001`, now - HOUR);
    await pruneJournal(layout, KEEP_DAYS, () => now);
    assert.deepEqual(list(layout.corrupt), [`${recordName(digest(2))}.1700000000001`]);
  });

  it('pending/: a record is never removed, however old (its copies wait in tmp/); temporary record files go after a day', async () => {
    const layout = journal();
    const now = Date.now();
    file(layout.pending, recordName(digest(1)), now - 100 * DAY);
    file(layout.pending, `${recordName(digest(2))}.123456`, now - DAY - HOUR);
    file(layout.pending, `${recordName(digest(3))}.654321`, now - HOUR); // may be a live write
    await pruneJournal(layout, KEEP_DAYS, () => now);
    assert.deepEqual(list(layout.pending), [recordName(digest(1)), `${recordName(digest(3))}.654321`]);
  });

  it('locks/ is left alone (stale locks are broken by whoever needs them)', async () => {
    const layout = journal();
    const now = Date.now();
    mkdirSync(join(layout.locks, `${digest(1)}.lock`));
    await pruneJournal(layout, KEEP_DAYS, () => now + 30 * DAY);
    assert.deepEqual(list(layout.locks), [`${digest(1)}.lock`]);
  });

  it('at most once an hour: within the hour after a pruning nothing is removed; after it, expired records go', async () => {
    const layout = journal();
    const start = Date.now();
    await pruneJournal(layout, KEEP_DAYS, () => start);
    assert.ok(list(layout.root).includes('pruned'), 'a stamp says when');
    const expired = recordName(digest(1));
    file(layout.done, expired, start - 30 * DAY);
    await pruneJournal(layout, KEEP_DAYS, () => start + 30 * 60 * 1000);
    assert.deepEqual(list(layout.done), [expired], '30 minutes later: not again');
    await pruneJournal(layout, KEEP_DAYS, () => start + HOUR + 60_000);
    assert.deepEqual(list(layout.done), [], '61 minutes later: again');
  });

  // The hour must be measured on the clock the journal is given (`now`), the one that decides
  // what has expired: with the stamp's mtime taken from the file system's clock instead, a clock
  // ahead of it (an injected one, or an NFS server's clock behind this host's) prunes on every
  // delivery, and a day ahead also removes the temp files of intents being written.
  it('at most once an hour by the injected clock, even when that clock is days ahead of the file system', async () => {
    const layout = journal();
    const start = Date.now() + 10 * DAY;
    await pruneJournal(layout, KEEP_DAYS, () => start);
    const expired = recordName(digest(1));
    file(layout.done, expired, start - 30 * DAY);
    const writing = `${recordName(digest(2))}.777`; // an intent being written right now
    file(layout.pending, writing, Date.now());
    await pruneJournal(layout, KEEP_DAYS, () => start + 30 * 60 * 1000);
    assert.deepEqual(list(layout.done), [expired], '30 minutes later by the injected clock: not again');
    assert.deepEqual(list(layout.pending), [writing]);
  });

  it('a missing stamp means never pruned: it prunes, and writes the stamp', async () => {
    const layout = journal();
    const now = Date.now();
    file(layout.done, recordName(digest(1)), now - 30 * DAY);
    await pruneJournal(layout, KEEP_DAYS, () => now);
    assert.deepEqual(list(layout.done), []);
    assert.ok(list(layout.root).includes('pruned'));
  });
});
