// Crash torture for DESIGN.md guarantee 3, "exactly once across retries and crashes": SIGKILL
// (which nothing can catch or clean up after) at a random instant of a delivery, then the MTA's
// retries, each with a freshly stamped From_ line, until one exits 0. Whatever the instant, every
// target ends with exactly one byte-exact copy in new/, and no record is left pending.
//
// Each round picks, from a seeded PRNG, a message of 2 KB to 5 MB (log-uniform, so every order
// of magnitude gets rounds), 3 to 8 targets, hard links or --copy, the chunks stdin is fed in
// (with pauses, so kills land mid-stream), and the kill instants: 1 in 10 within 0–5 ms of the
// spawn (before Node has even started); 5 in 10 spread uniformly from 0 to 1.25 × the measured
// run time of such a delivery (start-up, streaming, staging, and now and then the journal or
// exit); and, since publishing lasts a few milliseconds that a uniform instant rarely hits,
// 4 in 10 aimed by inotify: 0–15 ms after the run took the message's lock, 0–8 ms after its
// intent appeared in pending/ (publishing, completion, unlocking, exit), or the moment a copy
// lands in one target's new/. A retry itself is killed again 1 time in 4. The file prints how
// many kills left each state, and a full run fails unless every window was hit.
// After every kill the state on disk is checked against what must hold at *any* instant:
//   - no target holds two copies, and every copy in new/ is the message, byte for byte;
//   - a target holds a copy only if a record (pending/ or done/) says where the message went;
//   - a pending record: each of its copies is either still in tmp/ or already in new/, never
//     both and never neither; a done record: every maildir it names holds the message.
// Leftover tmp/ files of runs killed before their intent was written are expected (nobody can
// know they were ours; maildir readers and the self-check remove tmp files older than 36 h).
// What must not be left is a tmp file a later run should have published: at the end no record
// is pending, and every record names only copies that left tmp/. (A run killed inside
// write-record.ts leaves its temp file <digest>.json.<n> in pending/: not a record, and
// pruned after a day; the final check allows exactly those seen right after such a kill.)
//
// The lock of a run killed while holding it goes stale only after 10 s (src/journal/lock.ts).
// An MTA retries minutes later (Postfix's minimal_backoff_time is 300 s), so after most such
// kills the test ages the lock folder's mtime by a minute, as that wait would; a few rounds per
// file (TORTURE_REAL_WAITS, default 4) retry at once and really wait for the lock to go stale.
//
// Reproduce a failure with the seed and round it prints:
//   TORTURE_SEED=<seed> TORTURE_FROM_ROUND=<round> node scripts/run-tests.mjs integration/journal-torture.test.js
// (the kill instants are random in time, so a replay hits the same plan, not always the same
// instruction). TORTURE_ROUNDS changes the number of rounds.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, rmSync, utimesSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recordName } from '../../src/journal/layout';
import {
  assertOneCopyInNew,
  defaultStateDir,
  digestOf,
  journalOf,
  maildirsIn,
  names,
  readRecordIn,
  recordDigests,
  stamped,
} from './journal-helpers';
import { finished, listMaildir, sandbox, startCli, type RunResult } from './harness';
import { mulberry32 } from './seeded-random';

const SEED = process.env.TORTURE_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.TORTURE_SEED);
const ROUNDS = Number(process.env.TORTURE_ROUNDS ?? 200);
const FROM_ROUND = Number(process.env.TORTURE_FROM_ROUND ?? 0);
const REAL_WAITS = Number(process.env.TORTURE_REAL_WAITS ?? 4);

const MIN_SIZE = 2 * 1024;
const MAX_SIZE = 5 * 1024 * 1024;
/** Killed attempts per round: the first always, each further one with this chance, at most 3. */
const KILL_AGAIN = 0.25;
/** Unkilled retries that may exit 75 before one must succeed. */
const RETRIES = 3;

const prng = mulberry32;

/** Independent streams per round and purpose, so that a round replays alone. */
function streamFor(round: number, purpose: number): () => number {
  const mix = prng(SEED ^ Math.imul(round + 1, 0x9e3779b1) ^ Math.imul(purpose + 1, 0x85ebca6b));
  return prng(Math.floor(mix() * 2 ** 32));
}

/**
 * When a run is killed: `ms` after the spawn, `fraction` × the expected run time after it, or
 * `thenMs` after an event seen with inotify: the run took the message's lock, wrote its intent
 * (pending/<digest>.json appeared) or published into target `target`'s new/. Events aim the
 * kill at the few milliseconds a uniform instant rarely hits: publishing, after the last rename.
 */
type Kill =
  | { readonly kind: 'early'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly fraction: number }
  | { readonly kind: 'lock' | 'intent'; readonly thenMs: number }
  | { readonly kind: 'publish'; readonly target: number };

interface Plan {
  readonly round: number;
  readonly size: number;
  readonly targets: number;
  readonly copy: boolean;
  readonly kills: readonly Kill[];
}

function planKill(rng: () => number, targets: number): Kill {
  const r = rng();
  if (r < 0.1) return { kind: 'early', ms: rng() * 5 };
  if (r < 0.6) return { kind: 'uniform', fraction: rng() * 1.25 };
  if (r < 0.7) return { kind: 'lock', thenMs: rng() * 15 };
  if (r < 0.85) return { kind: 'intent', thenMs: rng() * 8 };
  return { kind: 'publish', target: Math.floor(rng() * targets) };
}

function planRound(round: number): Plan {
  const rng = streamFor(round, 0);
  // The first rounds pin the corners of the range; the rest are random.
  const corners: readonly [number, number][] = [
    [MIN_SIZE, 3],
    [MAX_SIZE, 8],
    [MIN_SIZE, 8],
    [MAX_SIZE, 3],
  ];
  const corner = corners[round];
  const size = corner?.[0] ?? Math.round(MIN_SIZE * (MAX_SIZE / MIN_SIZE) ** rng());
  const targets = corner?.[1] ?? 3 + Math.floor(rng() * 6);
  const copy = rng() < 0.25;
  const kills: Kill[] = [];
  do kills.push(planKill(rng, targets));
  while (kills.length < 3 && rng() < KILL_AGAIN);
  return { round, size, targets, copy, kills };
}

function describeKill(k: Kill): string {
  switch (k.kind) {
    case 'early':
      return `${k.ms.toFixed(1)} ms`;
    case 'uniform':
      return `${k.fraction.toFixed(2)} × run time`;
    case 'lock':
      return `${k.thenMs.toFixed(1)} ms after it locked`;
    case 'intent':
      return `${k.thenMs.toFixed(1)} ms after its intent`;
    case 'publish':
      return `its publish into target ${k.target}`;
  }
}
const describeSize = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`;

let messages = 0;

/**
 * A unique message of exactly `size` bytes: headers with the seed and round in the Message-ID,
 * then lines of printable text with some CRLF, NUL and 8-bit bytes, sometimes no final newline.
 */
function messageFor(plan: Plan): Buffer {
  messages++;
  const rng = streamFor(plan.round, 1);
  const head = Buffer.from(
    `From: torture@example.org\nTo: bb@example.org\n` +
      `Message-ID: <${SEED}.${plan.round}.${messages}.${process.pid}.${Date.now()}@torture.example.org>\n` +
      `Subject: torture round ${plan.round}\n\n`,
  );
  const body = Buffer.allocUnsafe(Math.max(0, plan.size - head.length));
  let x = Math.floor(rng() * 2 ** 32) | 1;
  let column = 0;
  for (let i = 0; i < body.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = x >>> 0;
    if (column > 40 + (r % 60)) {
      body[i] = 0x0a;
      if (r % 7 === 0 && i > 0) body[i - 1] = 0x0d;
      column = 0;
    } else {
      body[i] = r % 97 === 0 ? r & 0xff : 32 + (r % 95); // now and then NUL or an 8-bit byte
      column++;
    }
  }
  return Buffer.concat([head, body]).subarray(0, plan.size);
}

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

/** Feeds stdin in chunks with short pauses, so that a kill can land between two of them. */
async function feed(child: ChildProcess, data: Buffer, rng: () => number): Promise<void> {
  const stdin = child.stdin!;
  const pipe = { broken: false };
  stdin.on('error', () => (pipe.broken = true));
  const pieces = data.length < 64 * 1024 ? 1 + Math.floor(rng() * 3) : 0;
  let offset = 0;
  while (offset < data.length && !pipe.broken) {
    const size = pieces > 0 ? Math.ceil(data.length / pieces) : 16 * 1024 + Math.floor(rng() * 240 * 1024);
    const chunk = data.subarray(offset, offset + size);
    offset += chunk.length;
    await new Promise<void>((done) =>
      stdin.write(chunk, (error) => {
        if (error) pipe.broken = true;
        done();
      }),
    );
    if (rng() < 0.2) await sleep(rng() * 3);
  }
  if (!pipe.broken) stdin.end();
}

/** When to send SIGKILL: `ms` after the spawn, or `thenMs` after a change in `dir` (to `name`). */
type KillAt =
  { readonly ms: number } | { readonly dir: string; readonly name?: string; readonly thenMs: number };

/** One attempt: the CLI fed `input`, and SIGKILL at `killAt` unless undefined. */
async function attempt(
  args: readonly string[],
  input: Buffer,
  rng: () => number,
  killAt?: KillAt,
): Promise<{ result: RunResult; ms: number; killedAt?: number }> {
  const start = performance.now();
  const child = startCli(args);
  const done = finished(child);
  let killedAt: number | undefined;
  const kill = (afterMs: number): void => {
    const now = (): void => {
      killedAt ??= performance.now() - start;
      child.kill('SIGKILL');
    };
    if (afterMs < 0.5) now();
    else setTimeout(now, afterMs);
  };
  let watcher: FSWatcher | undefined;
  if (killAt !== undefined && 'dir' in killAt) {
    // Watching starts while the child is still starting Node, long before it touches the journal.
    watcher = watch(killAt.dir, (_event, name) => {
      if (killAt.name !== undefined && name !== killAt.name) return;
      watcher?.close();
      kill(killAt.thenMs);
    });
  }
  if (killAt !== undefined && 'ms' in killAt) kill(killAt.ms);
  void feed(child, input, rng);
  const result = await done;
  watcher?.close();
  return { result, ms: performance.now() - start, ...(killedAt === undefined ? {} : { killedAt }) };
}

describe(`crash torture: SIGKILL at a random instant, then MTA retries (seed ${SEED}, rounds ${FROM_ROUND}–${ROUNDS - 1})`, () => {
  const box = sandbox();
  const layout = journalOf(defaultStateDir());
  let attempts = 0; // every attempt gets a From_ line stamped with a new time
  /** Run time model: start-up + bytes written × per byte (ms), measured in `before`. */
  let baseMs = 150;
  let perByteMs = 30 / MAX_SIZE;
  let realWaitsLeft = REAL_WAITS;
  const kills = new Map<string, number>();
  const atomicLeftovers = new Set<string>(); // write-record.ts temps of runs killed inside it
  const expectedMs = (plan: Plan): number =>
    baseMs + perByteMs * plan.size * (plan.copy ? plan.targets : 1) + 2 * plan.targets;
  after(() => {
    console.log(
      `seed ${SEED}: kills by the state they left (${[...kills.values()].reduce((a, b) => a + b, 0)}):\n` +
        [...kills].map(([what, n]) => `  ${String(n).padStart(4)}  ${what}`).join('\n') +
        `\n  real 10 s waits for a stale lock: ${REAL_WAITS - realWaitsLeft}` +
        `; model: ${baseMs.toFixed(0)} ms + ${(perByteMs * 1024 * 1024).toFixed(1)} ms/MiB written`,
    );
    box.remove();
  });

  before(async () => {
    // Measures how long an unkilled delivery takes on this machine (the second of two runs:
    // the first warms the page cache), so that kill instants spread over a whole run.
    const timeOf = async (size: number, copy: boolean, n: number): Promise<number> => {
      const dirs = Array.from({ length: n }, (_, i) => box.maildir(`calibrate-${size}-${copy}/${i}`));
      const plan: Plan = { round: -1, size, targets: n, copy, kills: [] };
      let ms = 0;
      for (let i = 0; i < 2; i++) {
        const message = messageFor(plan);
        const run = await attempt(
          [...(copy ? ['--copy'] : []), ...dirs],
          stamped(message, ++attempts),
          prng(i),
        );
        assert.equal(run.result.code, 0, `calibration run: ${run.result.stderr}`);
        ms = run.ms;
      }
      return ms;
    };
    const small = await timeOf(MIN_SIZE, false, 3);
    const large = await timeOf(MAX_SIZE, true, 3);
    baseMs = small;
    perByteMs = Math.max(0, large - small) / (3 * MAX_SIZE);
  });

  function killAtFor(kill: Kill, plan: Plan, dirs: readonly string[], digest: string): KillAt {
    switch (kill.kind) {
      case 'early':
        return { ms: kill.ms };
      case 'uniform':
        return { ms: kill.fraction * expectedMs(plan) };
      case 'lock':
        return { dir: layout.locks, name: `${digest}.lock`, thenMs: kill.thenMs };
      case 'intent':
        return { dir: layout.pending, name: recordName(digest), thenMs: kill.thenMs };
      case 'publish':
        return { dir: join(dirs[kill.target]!, 'new'), thenMs: 0 };
    }
  }

  /** Checks what must hold at any instant, and names the state a kill left. */
  function checkCrashState(
    dirs: readonly string[],
    message: Buffer,
    digest: string,
    tmpBefore: number,
    result: RunResult,
  ): string {
    // Read the maildirs before the records: records only ever appear (pending, then done).
    const copies = dirs.map((dir) => {
      const listing = listMaildir(dir);
      assert.deepEqual(listing.cur, [], `cur/ of ${dir}`);
      assert.ok(listing.new.length <= 1, `a second copy in ${dir}/new: ${listing.new.join(' ')}`);
      for (const name of listing.new) {
        assert.ok(
          readFileSync(join(dir, 'new', name)).equals(message),
          `${dir}/new/${name} is not the message`,
        );
      }
      return listing.new.length;
    });
    const tmpNow = dirs.reduce((sum, dir) => sum + listMaildir(dir).tmp.length, 0);
    const pending = readRecordIn(layout.pending, digest);
    const done = readRecordIn(layout.done, digest);
    const locked = existsSync(join(layout.locks, `${digest}.lock`));
    for (const name of names(layout.pending)) {
      if (name.startsWith(`${recordName(digest)}.`)) atomicLeftovers.add(name);
    }
    const holders = dirs.filter((_, i) => copies[i] === 1);
    if (holders.length > 0) {
      assert.ok(pending !== undefined || done !== undefined, `copies in ${holders.join(' ')} but no record`);
    }
    const all = [...dirs].sort();
    if (done !== undefined) {
      assert.deepEqual(maildirsIn(done), all, 'the done record names every target');
      assert.deepEqual(holders, dirs, 'a done record: every target holds the message');
    }
    if (pending === undefined) {
      if (result.code === 0) return 'the run had finished before the kill';
      if (done !== undefined)
        return locked ? 'completed, lock still held' : 'completed and unlocked, before exit';
      if (locked) return 'locked, before the intent was written';
      return tmpNow > tmpBefore ? 'streaming or staging (tmp/ only)' : 'start-up (nothing written yet)';
    }
    assert.deepEqual(maildirsIn(pending), all, 'the pending record names every target');
    let published = 0;
    for (const copy of pending.copies) {
      // tmp/ first: the file leaves tmp/ and enters new/ in one rename.
      const inTmp = existsSync(copy.tmp);
      const inNew = existsSync(copy.new);
      assert.ok(inTmp !== inNew, `copy for ${copy.maildir}: in tmp/ ${inTmp}, in new/ ${inNew}`);
      if (inNew) published++;
    }
    for (const dir of holders) {
      const mine = pending.copies.some((c) => c.maildir === dir && existsSync(c.new));
      assert.ok(
        mine || pending.delivered.includes(dir),
        `${dir} holds a copy the pending record does not explain`,
      );
    }
    const of = pending.copies.length;
    return published === 0
      ? 'intent written, nothing published'
      : published < of
        ? 'intent written, publishing part-way'
        : 'intent written, everything published';
  }

  for (let round = FROM_ROUND; round < ROUNDS; round++) {
    const plan = planRound(round);
    const title =
      `round ${round}: ${describeSize(plan.size)}, ${plan.targets} targets, ${plan.copy ? '--copy' : 'hard links'}, ` +
      `SIGKILL at ${plan.kills.map(describeKill).join(', then at ')}`;
    it(title, { timeout: 120_000 }, async () => {
      const dirs = Array.from({ length: plan.targets }, (_, i) => box.maildir(`r${round}/t${i}`));
      const args = [...(plan.copy ? ['--copy'] : []), ...dirs];
      const message = messageFor(plan);
      const digest = digestOf(message);
      const feedRng = streamFor(round, 2);
      const waitRng = streamFor(round, 3);
      const history: string[] = [];
      const context = (): string =>
        `\n  seed ${SEED}, round ${round} (${title}); replay: TORTURE_SEED=${SEED} TORTURE_FROM_ROUND=${round} ` +
        `TORTURE_ROUNDS=${round + 1}\n  history: ${history.join('; ')}`;
      try {
        for (const kill of plan.kills) {
          const tmpBefore = dirs.reduce((sum, dir) => sum + listMaildir(dir).tmp.length, 0);
          const { result, ms, killedAt } = await attempt(
            args,
            stamped(message, ++attempts),
            feedRng,
            killAtFor(kill, plan, dirs, digest),
          );
          const when = `${describeKill(kill)} (${killedAt === undefined ? 'no kill' : `${killedAt.toFixed(1)} ms`}, ended after ${ms.toFixed(0)} ms)`;
          assert.ok(
            result.signal === 'SIGKILL' || result.code === 0,
            `a run killed at ${when} ended with exit ${String(result.code)}: ${result.stderr}`,
          );
          const state = checkCrashState(dirs, message, digest, tmpBefore, result);
          history.push(`killed at ${when}: ${state}`);
          kills.set(state, (kills.get(state) ?? 0) + 1);
          const lock = join(layout.locks, `${digest}.lock`);
          if (existsSync(lock)) {
            if (realWaitsLeft > 0 && waitRng() < 0.3) {
              realWaitsLeft--;
              history.push('retrying at once: the lock goes stale in 10 s');
            } else {
              // The MTA's backoff (minutes) without the wait: the dead run's lock is a minute old.
              const past = new Date(Date.now() - 60_000);
              utimesSync(lock, past, past);
              history.push('lock aged by a minute');
            }
          }
        }
        let success: RunResult | undefined;
        for (let retry = 0; retry < RETRIES && success === undefined; retry++) {
          const { result, ms } = await attempt(args, stamped(message, ++attempts), feedRng);
          history.push(
            `retry: exit ${String(result.code)} after ${ms.toFixed(0)} ms ${result.stderr.trim()}`,
          );
          if (result.code === 0) success = result;
          else assert.match(result.stderr, /^4\.\d+\.\d+ maildir-fanout: [^\n]*\n$/, 'a temporary failure');
        }
        assert.ok(success !== undefined, `no retry exited 0 in ${RETRIES}`);
        assert.equal(success.stdout + success.stderr, '', 'a successful delivery prints nothing');

        assertOneCopyInNew(dirs, message);
        assert.equal(readRecordIn(layout.pending, digest), undefined, 'no record left pending');
        assert.ok(!existsSync(join(layout.locks, `${digest}.lock`)), 'the lock is released');
        const done = readRecordIn(layout.done, digest);
        assert.ok(done !== undefined, 'a done record remembers the delivery');
        assert.deepEqual(maildirsIn(done), [...dirs].sort(), 'the done record names every target');
        for (const copy of done.copies) assert.ok(!existsSync(copy.tmp), `${copy.tmp} was never published`);
        // What is left in tmp/ comes from runs killed before their intent: a part of this message.
        for (const dir of dirs) {
          for (const name of listMaildir(dir).tmp) {
            const left = readFileSync(join(dir, 'tmp', name));
            assert.ok(
              message.subarray(0, left.length).equals(left),
              `${dir}/tmp/${name} is not this message`,
            );
          }
        }
      } catch (error: unknown) {
        const what = error instanceof Error ? error.message : String(error);
        throw new Error(`${what}${context()}`, { cause: error });
      }
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
  }

  it('afterwards: no record is pending, no lock is held, nothing was found corrupt', () => {
    assert.deepEqual(recordDigests(layout.pending), [], 'pending/ holds no record');
    // write-record.ts's own temp file of a run killed while writing its intent: not a record,
    // nothing refers to it, and pruning removes it after a day (src/journal/prune.ts).
    const others = names(layout.pending).filter((name) => !atomicLeftovers.has(name));
    assert.deepEqual(
      others,
      [],
      'pending/ holds nothing but write-record.ts leftovers seen right after a kill',
    );
    assert.deepEqual(names(layout.locks), [], 'locks/ is empty');
    assert.deepEqual(names(layout.corrupt), [], 'corrupt/ is empty');
    // A full run must have killed in every window that matters (the rarest, "completed, lock
    // still held", lasts microseconds and is not required); a replay of a few rounds need not.
    if (ROUNDS - FROM_ROUND >= 100) {
      for (const state of [
        'start-up (nothing written yet)',
        'streaming or staging (tmp/ only)',
        'locked, before the intent was written',
        'intent written, nothing published',
        'intent written, publishing part-way',
        'intent written, everything published',
        'completed and unlocked, before exit',
        'the run had finished before the kill',
      ]) {
        assert.ok((kills.get(state) ?? 0) > 0, `no kill left the state "${state}"`);
      }
    }
    if (atomicLeftovers.size > 0)
      console.log(`write-record.ts leftovers in pending/: ${[...atomicLeftovers].join(' ')}`);
  });
});
