// What the self-check reads from the journal: pending records of dead runs (or older than any
// delivery can last) are unfinished, those of live runs in progress; which copies of an unfinished
// record still wait in tmp/; the tmp/ files every pending record owns; corrupt/ counted; bytes summed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { journalFacts, processIsAlive } from '../../../src/check/journal-facts';
import { journalLayout, recordName } from '../../../src/journal/layout';
import { serializeRecord, type JournalRecord } from '../../../src/journal/record';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3600_000;
const LIVE = 100;
const DEAD = 200;
const isAlive = (pid: number): boolean => pid === LIVE;

/** A record of copies to `targets` (default one, `t<n>`) in maildirs under `base`. */
const record = (
  n: number,
  pid: number,
  ageMs: number,
  base = '/m',
  targets: readonly string[] = [`t${n}`],
): JournalRecord => ({
  version: 1,
  digest: String(n).repeat(64),
  host: 'h',
  pid,
  created: new Date(NOW - ageMs).toISOString(),
  delivered: [],
  copies: targets.map((t) => ({
    target: t,
    maildir: join(base, t),
    tmp: join(base, t, 'tmp', `m${n}`),
    new: join(base, t, 'new', `m${n}`),
  })),
});

describe('journalFacts', () => {
  const root = mkdtempSync(join(tmpdir(), 'mf-jfacts-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('no journal folder yet: nothing, and no error', async () => {
    const layout = journalLayout(join(root, 'none'), 'h');
    assert.deepEqual(await journalFacts(layout, isAlive, NOW), {
      root: layout.root,
      unfinished: [],
      waiting: new Map(),
      owned: new Set(),
      inProgress: 0,
      done: 0,
      corrupt: 0,
      bytes: 0,
    });
  });

  it('sorts pending records by whether their run can still be going; counts done/ and corrupt/; sums bytes', async () => {
    const layout = journalLayout(join(root, 'state'), 'h');
    for (const dir of [layout.pending, layout.done, layout.corrupt]) mkdirSync(dir, { recursive: true });
    const put = (dir: string, name: string, text: string): number => {
      writeFileSync(join(dir, name), text);
      return Buffer.byteLength(text);
    };
    const dead = record(1, DEAD, HOUR);
    const live = record(2, LIVE, HOUR);
    const stuck = record(3, LIVE, 25 * HOUR); // pid reused: no delivery lasts a day
    let bytes = 0;
    for (const r of [dead, live, stuck])
      bytes += put(layout.pending, recordName(r.digest), serializeRecord(r));
    bytes += put(layout.pending, recordName('4'.repeat(64)), '{"version": 1, "dig'); // torn: skipped
    put(layout.pending, `${recordName('5'.repeat(64))}.123`, 'a temporary record file'); // not a record
    bytes += put(layout.done, recordName('6'.repeat(64)), serializeRecord(record(6, DEAD, HOUR)));
    bytes += put(layout.corrupt, `${recordName('7'.repeat(64))}.99`, 'garbage');
    const facts = await journalFacts(layout, isAlive, NOW);
    assert.deepEqual(facts.unfinished.map((r) => r.digest).sort(), [dead.digest, stuck.digest].sort());
    assert.equal(facts.inProgress, 1);
    assert.equal(facts.done, 1);
    assert.equal(facts.corrupt, 1);
    assert.equal(facts.bytes, bytes);
  });

  it('waiting: per unfinished record, the targets whose tmp/ copy is still there (publishing is a rename)', async () => {
    const base = join(root, 'waiting');
    const layout = journalLayout(join(base, 'state'), 'h');
    mkdirSync(layout.pending, { recursive: true });
    const partly = record(1, DEAD, HOUR, base, ['a', 'b', 'c']);
    const published = record(2, DEAD, HOUR, base, ['a', 'b']);
    const live = record(3, LIVE, HOUR, base, ['a']);
    for (const t of ['a', 'b', 'c']) {
      mkdirSync(join(base, t, 'tmp'), { recursive: true });
      mkdirSync(join(base, t, 'new'), { recursive: true });
    }
    // partly: a's copy is published (in new/ only), b's and c's wait in tmp/.
    writeFileSync(partly.copies[0]!.new, 'x');
    for (const c of partly.copies.slice(1)) writeFileSync(c.tmp, 'x');
    for (const c of published.copies) writeFileSync(c.new, 'x');
    for (const c of live.copies) writeFileSync(c.tmp, 'x');
    for (const r of [partly, published, live])
      writeFileSync(join(layout.pending, recordName(r.digest)), serializeRecord(r));
    const facts = await journalFacts(layout, isAlive, NOW);
    assert.deepEqual(
      new Map([...facts.waiting].sort()),
      new Map([
        [partly.digest, ['b', 'c']],
        [published.digest, []],
      ]),
      'a live run has no entry: it is not unfinished',
    );
    assert.equal(facts.inProgress, 1);
  });

  it('owned: the tmp/ file of every copy of every pending record, live or dead, there or not', async () => {
    const base = join(root, 'owned');
    const layout = journalLayout(join(base, 'state'), 'h');
    mkdirSync(layout.pending, { recursive: true });
    mkdirSync(layout.done, { recursive: true });
    const dead = record(1, DEAD, HOUR, base, ['a', 'b']);
    const live = record(2, LIVE, HOUR, base, ['a']);
    const stuck = record(3, LIVE, 25 * HOUR, base, ['c']);
    const finished = record(4, DEAD, HOUR, base, ['a']);
    for (const r of [dead, live, stuck])
      writeFileSync(join(layout.pending, recordName(r.digest)), serializeRecord(r));
    writeFileSync(join(layout.done, recordName(finished.digest)), serializeRecord(finished));
    const facts = await journalFacts(layout, isAlive, NOW);
    assert.deepEqual(
      [...facts.owned].sort(),
      [...dead.copies, ...live.copies, ...stuck.copies].map((c) => c.tmp).sort(),
      'done/ records own nothing',
    );
  });
});

describe('processIsAlive', () => {
  it('this process is alive; a process that has exited is not', async () => {
    assert.equal(processIsAlive(process.pid), true);
    const { spawnSync } = await import('node:child_process');
    const gone = spawnSync('true').pid;
    assert.equal(processIsAlive(gone), false);
  });
});
