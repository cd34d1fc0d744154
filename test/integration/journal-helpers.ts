// Helpers for the journal's integration tests (DESIGN.md guarantee 3, "exactly once across
// retries and crashes"): what an MTA's retry looks like (the same bytes behind a freshly stamped
// From_ line), where a test's journal lives and what is in it, the CLI under strace with any
// system call failing, and the CLI with exactly the environment given (no $HOME at all).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalLayout, recordName, digestOfRecordName, type JournalLayout } from '../../src/journal/layout';
import { parseRecord, type JournalRecord } from '../../src/journal/record';
import { requireStrace } from './fault-helpers';
import {
  asRoot,
  cliPath,
  finished,
  listMaildir,
  testHome,
  TEST_GID,
  TEST_UID,
  type RunResult,
} from './harness';

/** SHA-256 of what the journal knows a message by: its bytes without the From_ line. */
export function digestOf(message: string | Buffer): string {
  return createHash('sha256').update(message).digest('hex');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The mbox From_ line Postfix's local(8) and Exim's pipe transport put in front of a message,
 * stamped with the time of this attempt: `attempt` seconds after a fixed instant, so that every
 * attempt of a test gets a different line (and the journal must ignore it).
 */
export function fromLine(attempt: number, sender = 'MAILER-DAEMON'): string {
  const d = new Date(Date.UTC(2025, 10, 27, 10, 0, 0) + attempt * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const date = `${DAYS[d.getUTCDay()]!} ${MONTHS[d.getUTCMonth()]!} ${String(d.getUTCDate()).padStart(2)}`;
  return `From ${sender} ${date} ${time} ${d.getUTCFullYear()}\n`;
}

/** The message as the MTA's attempt number `attempt` pipes it: a fresh From_ line, then the bytes. */
export function stamped(message: string | Buffer, attempt: number): Buffer {
  return Buffer.concat([Buffer.from(fromLine(attempt)), Buffer.from(message)]);
}

/** The journal folders for `stateDir` on this host (the CLI runs on the same host as the test). */
export function journalOf(stateDir: string): JournalLayout {
  return journalLayout(stateDir, hostname());
}

/** The default state folder of the CLI as the harness runs it: $HOME/.local/state/maildir-fanout. */
export function defaultStateDir(): string {
  return join(testHome(), '.local/state/maildir-fanout');
}

/** Names in a folder, sorted; [] when the folder does not exist. */
export function names(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Digests of the records in a journal folder (pending/ or done/); other names are left out. */
export function recordDigests(dir: string): string[] {
  return names(dir).flatMap((name) => digestOfRecordName(name) ?? []);
}

/** The record of `digest` in `dir` (pending/ or done/), undefined if absent; fails if unreadable. */
export function readRecordIn(dir: string, digest: string): JournalRecord | undefined {
  const path = join(dir, recordName(digest));
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const record = parseRecord(text, digest);
  assert.ok(record !== undefined, `${path} must be a well-formed record: ${text}`);
  return record;
}

/** Every maildir that a record says holds the message once its copies are published. */
export function maildirsIn(record: JournalRecord): string[] {
  return [...new Set([...record.delivered, ...record.copies.map((c) => c.maildir)])].sort();
}

/**
 * Creates the journal's folders for `stateDir` as the CLI would, owned by the CLI's user, so a
 * test can plant a record before the first delivery.
 */
export function prepareJournal(stateDir: string, own: (path: string) => void): JournalLayout {
  const layout = journalOf(stateDir);
  const parts = [stateDir, join(stateDir, 'journal'), layout.root];
  for (const dir of [...parts, layout.pending, layout.done, layout.locks, layout.corrupt]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    own(dir);
  }
  return layout;
}

/** Every maildir holds exactly one byte-exact copy in new/ and nothing in cur/ (tmp/ not looked at). */
export function assertOneCopyInNew(dirs: readonly string[], message: Buffer, context = ''): void {
  for (const dir of dirs) {
    const listing = listMaildir(dir);
    assert.equal(listing.cur.length, 0, `cur/ of ${dir} must stay empty${context}`);
    assert.equal(
      listing.new.length,
      1,
      `new/ of ${dir} must hold one copy: ${listing.new.join(' ')}${context}`,
    );
    const copy = readFileSync(join(dir, 'new', listing.new[0]!));
    assert.ok(copy.equals(message), `the copy in ${dir} must be the message, byte for byte${context}`);
  }
}

/** Disk usage of a folder tree: st_blocks × 512 of every file and folder in it, itself included. */
export function diskUsage(path: string): number {
  const stat = lstatSync(path);
  let total = stat.blocks * 512;
  if (stat.isDirectory()) for (const name of readdirSync(path)) total += diskUsage(join(path, name));
  return total;
}

/** Every path under `dir` (relative), with its size and mtime: a snapshot to compare. */
export function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string): void => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = join(sub, name);
      const stat = lstatSync(join(dir, rel));
      out.push(`${rel} ${stat.isDirectory() ? 'dir' : String(stat.size)} ${String(stat.mtimeMs)}`);
      if (stat.isDirectory()) walk(rel);
    }
  };
  walk('');
  return out;
}

/**
 * Spawns `command` as the CLI's user (nobody when the tests run as root) with exactly `env`
 * (nothing added: a test can leave out $HOME), `input` on stdin.
 */
export function runAsTestUser(
  command: string,
  args: readonly string[],
  input: string | Buffer,
  env: Readonly<Record<string, string>>,
): Promise<RunResult> {
  const child: ChildProcess = spawn(command, [...args], {
    cwd: tmpdir(),
    env: { ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
  });
  const done = finished(child);
  child.stdin?.end(input);
  return done;
}

/** The CLI with exactly this environment (PATH=/usr/bin:/bin unless given). */
export function runCliWithEnv(
  args: readonly string[],
  input: string | Buffer,
  env: Readonly<Record<string, string>>,
): Promise<RunResult> {
  return runAsTestUser(cliPath(), args, input, { PATH: '/usr/bin:/bin', ...env });
}

export interface Injection {
  /** The system call that fails, e.g. 'rename' or 'fsync'. */
  readonly syscall: string;
  readonly errno: string;
  /** The Nth call fails (counted on libuv's one thread: see fault-helpers.runWithFault). */
  readonly when: number;
}

/**
 * The unmodified CLI under `strace -e inject=…` (as fault-helpers.runWithFault, for any system
 * call), with the harness's private $HOME, so that its journal is this test process's.
 */
export function runWithInjection(
  injection: Injection,
  args: readonly string[],
  input: string | Buffer,
): Promise<RunResult> {
  requireStrace();
  const inject = `inject=${injection.syscall}:error=${injection.errno}:when=${injection.when}`;
  return runAsTestUser(
    'strace',
    ['-f', '-qq', '-o', '/dev/null', '-e', `trace=${injection.syscall}`, '-e', inject, cliPath(), ...args],
    input,
    { PATH: '/usr/bin:/bin', HOME: testHome(), UV_THREADPOOL_SIZE: '1' },
  );
}

/** No stack trace, no "internal error": what a journal failure must never produce. */
export function assertNoCrash(result: RunResult): void {
  const all = result.stdout + result.stderr;
  assert.doesNotMatch(all, /\n\s+at |internal error|\b[A-Z]\w*Error\b|[Uu]ncaught/, `no crash: ${all}`);
}
