// Load (issue 9): 2,000 deliveries from 32 concurrent CLI processes into 8 shared maildirs, as an
// MTA with many parallel local deliveries runs them. Some messages are delivered again on
// purpose — an MTA's retry, behind a freshly stamped From_ line, sometimes while the first
// delivery is still running — so the journal's per-message lock and dedupe (README, The journal)
// work under contention. test/integration/concurrency.test.ts does 300 × 16 into 3 maildirs
// without duplicates; journal-bounded.test.ts drives 10,000 records in-process.
//
// Property: every run exits 0 silently; each maildir's new/ holds exactly one byte-exact copy of
// each distinct message (read back by name and by Python's mailbox.Maildir), tmp/ and cur/ are
// empty; the journal holds one done/ record per distinct message, nothing pending, no lock left,
// nothing corrupt, in at most one 4 KiB block per record plus the folders' bound of
// journal-bounded.test.ts (1 MiB + 128 bytes per record).
//
// 2,000 CLI starts cost ~230 ms of CPU each here (Node's start-up is most of it): ~7.5 minutes of
// CPU, measured 367 s on this 2-CPU VM (shared, load ~4), far over the ~90 s aimed at. FAULTS_LOAD_DELIVERIES makes it smaller for a quick run
// (the distinct/duplicate proportions stay the same); FAULTS_SEED reorders and resizes.
import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { journalOf, names, stamped } from '../integration/journal-helpers';
import { listMaildir, sandbox } from '../integration/harness';
import { pythonMaildirs } from '../integration/readers';
import {
  countFromEnvironment,
  describeRun,
  pool,
  Rng,
  runBounded,
  seedFromEnvironment,
  sha256,
  type BoundedResult,
} from './fuzz-lab';

const SEED = seedFromEnvironment(0x9b0004);
const DELIVERIES = countFromEnvironment('FAULTS_LOAD_DELIVERIES', 2000);
const IN_FLIGHT = 32;
const MAILDIRS = 8;
/** One delivery in ten is a re-delivery of a message already sent (or still in flight). */
const DISTINCT = DELIVERIES - Math.floor(DELIVERIES / 10);
const KIB = 1024;

/** Message n: unique Message-ID and body; sizes from 200 bytes to 64 KiB; some CRLF, NUL, 8-bit. */
function message(n: number, rng: Rng): Buffer {
  const eol = n % 7 === 0 ? '\r\n' : '\n';
  const head = `From: sender${n}@example.org${eol}Message-ID: <${n}.load@example.org>${eol}Subject: load ${n}${eol}${eol}`;
  const size = rng.chance(0.05) ? rng.between(16 * KIB, 64 * KIB) : rng.between(100, 4 * KIB);
  const body = n % 11 === 0 ? rng.bytes(size) : Buffer.from(`body ${n} ${'#'.repeat(size)}${eol}`);
  return Buffer.concat([Buffer.from(head), body]);
}

/** Disk usage of the regular files and of the folders of a tree, apart (as journal-bounded.test.ts). */
function usage(path: string): { files: number; folders: number; bytes: number; records: number } {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return { files: stat.blocks * 512, folders: 0, bytes: stat.size, records: 1 };
  const total = { files: 0, folders: stat.blocks * 512, bytes: 0, records: 0 };
  for (const name of readdirSync(path)) {
    const sub = usage(join(path, name));
    total.files += sub.files;
    total.folders += sub.folders;
    total.bytes += sub.bytes;
    total.records += sub.records;
  }
  return total;
}

describe(`load: ${DELIVERIES} deliveries (${DISTINCT} distinct messages) from ${IN_FLIGHT} concurrent processes into ${MAILDIRS} maildirs`, () => {
  const box = sandbox();
  const dirs = Array.from({ length: MAILDIRS }, (_, i) => box.maildir(`m${i}`));
  const state = join(box.dir, 'state');
  const rng = new Rng(SEED);
  const messages = Array.from({ length: DISTINCT }, (_, n) => message(n, rng));
  // Deliveries: each distinct message once, then re-deliveries of random ones, some with a From_
  // line; shuffled, so that a re-delivery may run before, during or after the first.
  const plan: { n: number; input: Buffer }[] = messages.map((input, n) => ({ n, input }));
  for (let i = DISTINCT; i < DELIVERIES; i++) {
    const n = rng.int(DISTINCT);
    plan.push({ n, input: rng.chance(0.5) ? stamped(messages[n]!, i) : messages[n]! });
  }
  for (let i = plan.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  let results: BoundedResult[] = [];
  let seconds = 0;
  after(() => box.remove());

  before(
    async () => {
      console.log(`load: FAULTS_SEED=${SEED} FAULTS_LOAD_DELIVERIES=${DELIVERIES}`);
      const start = performance.now();
      results = await pool(plan.length, IN_FLIGHT, (i) =>
        runBounded(['--state-dir', state, ...dirs], { input: plan[i]!.input, timeoutMs: 120_000 }),
      );
      seconds = (performance.now() - start) / 1000;
      console.log(
        `load: ${plan.length} deliveries in ${seconds.toFixed(1)} s (${(plan.length / seconds).toFixed(1)}/s)`,
      );
    },
    { timeout: 900_000 },
  );

  it('every delivery exits 0 and prints nothing', () => {
    assert.equal(results.length, plan.length);
    const failed = results.flatMap((r, i) =>
      r.code === 0 && !r.hung && r.stdout + r.stderr === ''
        ? []
        : [`#${i} (message ${plan[i]!.n}): ${describeRun(r)}`],
    );
    assert.deepEqual(failed.slice(0, 20), [], `${failed.length} failed (seed ${SEED})`);
  });

  it(`each of the ${MAILDIRS} maildirs holds exactly one byte-exact copy of each distinct message, tmp/ and cur/ empty`, () => {
    const expected = messages.map((m) => sha256(m)).sort();
    for (const dir of dirs) {
      const listing = listMaildir(dir);
      assert.deepEqual({ tmp: listing.tmp, cur: listing.cur }, { tmp: [], cur: [] }, dir);
      const got = listing.new.map((name) => sha256(readFileSync(join(dir, 'new', name)))).sort();
      const counts = new Map<string, number>();
      for (const digest of got) counts.set(digest, (counts.get(digest) ?? 0) + 1);
      const doubled = [...counts].filter(([, c]) => c > 1).map(([d]) => d.slice(0, 12));
      const missing = expected.filter((d) => !counts.has(d)).map((d) => d.slice(0, 12));
      assert.deepEqual({ doubled, missing }, { doubled: [], missing: [] }, `${dir} (seed ${SEED})`);
      assert.deepEqual(got, expected, `${dir}: the copies are not the messages, byte for byte`);
    }
  });

  it("Python's mailbox.Maildir reads the same copies in every maildir", () => {
    const expected = messages.map((m) => sha256(m)).sort();
    // One maildir per python3 run: the reader's JSON for all 8 is over execFileSync's 1 MiB buffer.
    for (const dir of dirs) {
      const [read] = pythonMaildirs([dir]);
      assert.deepEqual(read!.map((m) => m.sha256).sort(), expected, dir);
    }
  });

  it(`the journal holds ${DISTINCT} done records and nothing else, in bounded space`, () => {
    const layout = journalOf(state);
    assert.deepEqual(names(layout.pending), [], 'pending records left');
    assert.deepEqual(names(layout.locks), [], 'locks left');
    assert.deepEqual(names(layout.corrupt), [], 'corrupt records');
    const done = names(layout.done).filter((name) => name.endsWith('.json'));
    assert.equal(done.length, DISTINCT, 'one record per distinct message');
    assert.deepEqual(done.map((name) => name.slice(0, 64)).sort(), messages.map((m) => sha256(m)).sort());
    const used = usage(state);
    console.log(
      `load: journal ${used.records} files, ${used.bytes} bytes of content; on disk ${Math.round(used.files / KIB)} KiB ` +
        `of files + ${Math.round(used.folders / KIB)} KiB of folders`,
    );
    // As journal-bounded.test.ts: one block (4 KiB) per record, + the `pruned` stamp; folders
    // 1 MiB + 128 bytes per record.
    assert.ok(used.records <= DISTINCT + 1, `${used.records} files in the journal`);
    assert.ok(used.files <= (DISTINCT + 1) * 4 * KIB, `files: ${used.files} bytes`);
    assert.ok(used.folders <= 1024 * KIB + DISTINCT * 128, `folders: ${used.folders} bytes`);
  });
});
