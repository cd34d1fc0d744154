// Helpers for the failure-path tests: the exact shape of a failure (exit status, one stderr line
// starting with an RFC 3463 code), the state of every target afterwards, and two ways to make the
// unmodified tool fail mid-delivery: strace fault injection and a file-size limit.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asRoot,
  cliPath,
  finished,
  listMaildir,
  readNew,
  TEST_GID,
  TEST_UID,
  testHome,
  type RunResult,
} from './harness';

/** sysexits(3) and qmail-command(8) statuses, as the contract names them. */
export const EX_TEMPFAIL = 75;
export const EX_DATAERR = 65;
export const QMAIL_SOFT = 111;
export const QMAIL_HARD = 100;

export const MESSAGE = 'From: ci@example.org\nTo: bb@example.org\nSubject: failure paths\n\nbody\n';

/**
 * A failed run: `exit`, nothing on stdout, and exactly one stderr line that starts with
 * "<status> maildir-fanout: " and contains every one of `mentions`.
 */
export function assertFailure(
  result: RunResult,
  exit: number,
  status: string,
  ...mentions: readonly string[]
): void {
  const context = `exit ${String(result.code)}, signal ${String(result.signal)}, stderr: ${result.stderr}`;
  assert.equal(result.signal, null, context);
  assert.equal(result.code, exit, context);
  assert.equal(result.stdout, '', `stdout must stay empty; ${context}`);
  assert.ok(
    result.stderr.startsWith(`${status} maildir-fanout: `),
    `stderr must start with ${status}; ${context}`,
  );
  assert.ok(
    result.stderr.endsWith('\n') && result.stderr.indexOf('\n') === result.stderr.length - 1,
    `stderr must be exactly one line; ${context}`,
  );
  for (const words of mentions) {
    assert.ok(result.stderr.includes(words), `stderr must mention ${JSON.stringify(words)}; ${context}`);
  }
}

/** A successful run: exit 0 and no output at all. */
export function assertSilentSuccess(result: RunResult): void {
  assert.equal(result.code, 0, `exit ${String(result.code)}, stderr: ${result.stderr}`);
  assert.equal(result.stdout + result.stderr, '');
}

/** tmp/, new/ and cur/ of every maildir are empty: no copy anywhere, no tmp file left. */
export function assertNothingDelivered(dirs: readonly string[]): void {
  for (const dir of dirs) {
    assert.deepEqual(listMaildir(dir), { tmp: [], new: [], cur: [] }, `maildir ${dir} must be untouched`);
  }
}

/** Every maildir holds exactly one copy of `message` in new/ and nothing in tmp/ or cur/. */
export function assertOneCopyEach(dirs: readonly string[], message: string | Buffer): void {
  for (const dir of dirs) {
    const listing = listMaildir(dir);
    assert.equal(listing.tmp.length, 0, `tmp/ of ${dir}: ${listing.tmp.join(' ')}`);
    assert.equal(listing.cur.length, 0, `cur/ of ${dir}`);
    assert.equal(listing.new.length, 1, `new/ of ${dir}: ${listing.new.join(' ')}`);
    assert.deepEqual(readNew(dir), [Buffer.from(message)], `content of the copy in ${dir}`);
  }
}

/** Total bytes of the files in tmp/ of a maildir (0 when there are none). */
export function tmpBytes(dir: string): number {
  return listMaildir(dir).tmp.reduce((sum, name) => sum + statSync(join(dir, 'tmp', name)).size, 0);
}

/** Polls `condition` every 10 ms; rejects with `what` if it does not hold within `timeoutMs`. */
export async function pollUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 10));
  }
}

/**
 * Records in the journal under state folder `stateDir`, per kind: pending (intents of deliveries
 * not finished) and done. There is one journal folder per host name: <state>/journal/<host>/.
 */
export function journalRecords(stateDir: string): { pending: string[]; done: string[] } {
  const root = join(stateDir, 'journal');
  const list = (kind: string): string[] =>
    existsSync(root)
      ? readdirSync(root).flatMap((host) => {
          const dir = join(root, host, kind);
          return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
        })
      : [];
  return { pending: list('pending'), done: list('done') };
}

/** The environment an MTA gives the CLI, with the same private $HOME as harness.startCli. */
function mtaEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { PATH: '/usr/bin:/bin', HOME: testHome(), ...extra };
}

/** Runs `command` as the CLI's user (nobody when the tests run as root), `input` on stdin. */
function runAsTestUser(
  command: string,
  args: readonly string[],
  input: string | Buffer,
  env: Readonly<Record<string, string>> = {},
): Promise<RunResult> {
  const child = spawn(command, [...args], {
    cwd: tmpdir(),
    env: mtaEnvironment(env),
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
  });
  const done = finished(child);
  child.stdin.end(input);
  return done;
}

/** Fails (never skips) when strace is missing: CI installs it, and a silent skip would hide that. */
export function requireStrace(): void {
  const probe = spawnSync('strace', ['-V'], { env: mtaEnvironment(), encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    assert.fail(
      'strace is not installed (or not runnable) in /usr/bin:/bin: the fault-injection tests need it; ' +
        `install it with "apt-get install strace" (${probe.error?.message ?? probe.stderr})`,
    );
  }
}

export interface Fault {
  readonly syscall: 'fsync' | 'link' | 'rename';
  readonly errno: string;
  /** The Nth call of `syscall` fails (counted per thread: see below). */
  readonly when: number;
}

/**
 * Runs the unmodified CLI under `strace -e inject=…`, so that the Nth call of one system call
 * fails with `errno`. strace counts calls per thread, and libuv runs file-system calls on a pool
 * of threads; UV_THREADPOOL_SIZE=1 puts them all on one thread, in the order they are issued,
 * which makes the count deterministic. Node itself uses none of fsync(2), link(2) and rename(2)
 * (x86-64 names: there glibc's rename() is the rename system call).
 * strace runs as the CLI's user: ptrace needs the same uid, and the CLI must stay unprivileged.
 */
export function runWithFault(
  fault: Fault,
  args: readonly string[],
  input: string | Buffer,
): Promise<RunResult> {
  requireStrace();
  const inject = `inject=${fault.syscall}:error=${fault.errno}:when=${fault.when}`;
  return runAsTestUser(
    'strace',
    ['-f', '-qq', '-o', '/dev/null', '-e', `trace=${fault.syscall}`, '-e', inject, cliPath(), ...args],
    input,
    { UV_THREADPOOL_SIZE: '1' },
  );
}

/**
 * Runs the CLI with RLIMIT_FSIZE set to `kib` KiB: a write(2) past it fails with EFBIG (Node
 * ignores SIGXFSZ), the way a write fails on a full disk, but for every target at once.
 */
export function runWithFileSizeLimit(
  kib: number,
  args: readonly string[],
  input: string | Buffer,
): Promise<RunResult> {
  // ulimit -f counts 512-byte blocks in dash and POSIX sh (1 KiB in bash): callers send far more.
  return runAsTestUser(
    '/bin/sh',
    ['-c', `ulimit -f ${kib * 2} && exec "$0" "$@"`, cliPath(), ...args],
    input,
  );
}
