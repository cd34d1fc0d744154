// Bounded state (DESIGN.md guarantee 5, applied to the journal of guarantee 3): the journal
// keeps one small file per message delivered in the last `keepDays` days, and nothing else
// grows. 10,000 deliveries (about a busy week for one buildmaster's mail) are driven through the
// journal in-process, exactly as src/delivery/deliver.ts drives it, since 10,000 CLI starts
// would take many minutes; the folders are real, on the real file system.
//
// The documented bound: 4 KiB per record in files (one file of a few hundred bytes: one block on
// ext4, xfs and tmpfs), and for the folders themselves 1 MiB plus 128 bytes per record: done/
// holds one entry per record, a 69-byte name (<64 hex digits>.json) that takes 80 bytes of an
// ext4 directory block, plus its hash index. Measured on ext4 (4 KiB blocks), 10,000 records:
// 40,004 KiB of files and about 1,100 KiB of folders, ~41,100 KiB in all (the console line this
// test prints says what this machine measures). A flat "10,000 × 4 KiB + 1 MiB" (41,024 KiB)
// is slightly too tight, as done/ alone is just over 1 MiB. An ext4 folder never shrinks, but
// its freed entries are reused, so after expiry the folders stay at that size, not more.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openJournal, type Journal } from '../../src/journal/journal';
import { nodeFileSystem } from '../../src/maildir/file-system';
import { nameSource, systemNameInputs } from '../../src/maildir/name-source';
import { diskUsage, names } from './journal-helpers';

/** Disk usage of the regular files and of the folders of a tree, apart. */
function usage(path: string): { files: number; folders: number } {
  const stat = lstatSync(path);
  const own = stat.blocks * 512;
  if (!stat.isDirectory()) return { files: own, folders: 0 };
  const total = { files: 0, folders: own };
  for (const name of readdirSync(path)) {
    const sub = usage(join(path, name));
    total.files += sub.files;
    total.folders += sub.folders;
  }
  return total;
}

const kib = (bytes: number): string => `${Math.round(bytes / KIB)} KiB`;

const RECORDS = 10_000;
const KEEP_DAYS = 8;
const KIB = 1024;
const FILES_BOUND = RECORDS * 4 * KIB + 4 * KIB; // + the `pruned` stamp
const FOLDERS_BOUND = 1024 * KIB + RECORDS * 128;
/** Deliveries after expiry, to see that the folders reuse their space rather than grow. */
const MORE = 2_000;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Deliveries in flight at once, as an MTA runs several local deliveries in parallel. */
const IN_FLIGHT = 8;

describe(`bounded state: ${RECORDS} deliveries through the journal`, () => {
  const state = mkdtempSync(join(tmpdir(), 'mf-bounded-'));
  after(() => rmSync(state, { recursive: true, force: true }));
  let clock = 0; // ms added to the real clock
  const journal: Journal = openJournal({
    stateDir: state,
    keepDays: KEEP_DAYS,
    host: hostname(),
    pid: process.pid,
    now: () => Date.now() + clock,
    fs: nodeFileSystem,
    names: nameSource(systemNameInputs()),
  });
  const digest = (n: number): string => createHash('sha256').update(`message ${n}`).digest('hex');

  /** `count` deliveries of messages first, first + 1, …, each as deliver.ts drives the journal. */
  async function deliver(first: number, count: number): Promise<void> {
    let next = first;
    const worker = async (): Promise<void> => {
      while (next < first + count) {
        const n = next++;
        await journal.recoverOthers(); // as every delivery does first
        const entry = await journal.open(digest(n));
        assert.equal(entry.delivered.size, 0);
        await entry.writeIntent([]);
        await entry.complete();
        await entry.release();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  }
  let peakFolders = 0;

  it(
    `${RECORDS} open/writeIntent/complete/release cycles leave ${RECORDS} records in done/, in at most 4 KiB of files per record and 1 MiB + 128 bytes per record of folders`,
    { timeout: 300_000 },
    async () => {
      const start = performance.now();
      await deliver(0, RECORDS);
      const seconds = (performance.now() - start) / 1000;

      assert.equal(names(journal.layout.done).length, RECORDS);
      assert.deepEqual(names(journal.layout.pending), []);
      assert.deepEqual(names(journal.layout.locks), []);
      const used = usage(state);
      peakFolders = used.folders;
      console.log(
        `${RECORDS} records: state folder ${kib(diskUsage(state))} = files ${kib(used.files)} + folders ` +
          `${kib(used.folders)} (done/ itself ${kib(lstatSync(journal.layout.done).blocks * 512)}); ` +
          `${((used.files + used.folders) / RECORDS).toFixed(0)} bytes per record; ${seconds.toFixed(1)} s`,
      );
      assert.ok(used.files <= FILES_BOUND, `files: ${used.files} bytes, more than ${FILES_BOUND}`);
      assert.ok(used.folders <= FOLDERS_BOUND, `folders: ${used.folders} bytes, more than ${FOLDERS_BOUND}`);
      // And the same message again finds its record, among 10,000.
      const again = await journal.open(digest(RECORDS - 1));
      assert.equal(again.delivered.size, 0, 'a record with no copies names no maildir');
      await again.release();
    },
  );

  it(
    `after ${KEEP_DAYS} days and an hour, the next delivery's recoverOthers() empties done/; ${MORE} more deliveries then fit in the folders' space`,
    { timeout: 120_000 },
    async () => {
      clock = KEEP_DAYS * DAY_MS + HOUR_MS;
      await journal.recoverOthers();
      assert.deepEqual(names(journal.layout.done), []);
      assert.deepEqual(names(journal.layout.pending), []);
      assert.deepEqual(names(journal.layout.corrupt), []);
      const pruned = usage(state);
      console.log(`after expiry: files ${kib(pruned.files)}, folders ${kib(pruned.folders)}`);
      assert.ok(pruned.files <= 4 * KIB, `only the stamp is left: ${pruned.files} bytes of files`);

      // Back to the real clock: the file system stamps new records with it, and with the clock
      // still 8 days ahead the journal would take them for expired ones.
      clock = 0;
      await deliver(RECORDS, MORE);
      const later = usage(state);
      assert.equal(names(journal.layout.done).length, MORE);
      assert.ok(later.folders <= peakFolders, `folders grew from ${peakFolders} to ${later.folders} bytes`);
    },
  );
});
