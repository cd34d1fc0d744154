// The fault lab (issue 9): what test/faults/storage and process need beyond the integration
// harness to force a fault for real and judge what is left afterwards.
//   - three maildirs a, b, c with their own journal (a fresh --state-dir: syscall counts of
//     strace's when=N depend on the journal's state, see fault-injection.test.ts);
//   - tmpfs mounts that can be filled, remounted read-only or resized, and are always unmounted;
//   - the unmodified CLI under strace with any filter and injection, its trace in a log file that
//     the test polls: with delay_enter, strace writes the entry of the paused call at once
//     ("openat(…, "/x/a/tmp/NAME", …"), so the test knows where the tool is and, for a file it is
//     about to create, its exact name, and can change the world before the call runs;
//   - the verdicts every row of the issue asks for: failed cleanly (exit, RFC 3463 status, nothing
//     in new/ or tmp/, no pending record) and a retry of the same bytes gives one copy each.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountTmpfs, runCheck, unmount } from '../integration/check-helpers';
import {
  assertFailure,
  assertNothingDelivered,
  assertOneCopyEach,
  assertSilentSuccess,
  journalRecords,
  requireStrace,
} from '../integration/fault-helpers';
import {
  asRoot,
  cliPath,
  finished,
  listMaildir,
  runCli,
  TEST_GID,
  TEST_UID,
  testHome,
  type RunResult,
  type Sandbox,
} from '../integration/harness';
import { mulberry32 } from '../integration/seeded-random';

/** Seed of every random choice in test/faults (FAULTS_SEED=n to replay another run). */
export const SEED = process.env.FAULTS_SEED === undefined ? 9_2026 : Number(process.env.FAULTS_SEED);

/** The seeded generator of every randomized test (integration/seeded-random.ts). */
export const prng = mulberry32;

/** Three maildirs and the arguments that deliver to them with their own journal. */
export interface Trio {
  readonly dirs: readonly [string, string, string];
  readonly state: string;
  readonly args: readonly string[];
}

/**
 * Maildirs `group`/a, b, c (each may be given another relative place, e.g. on a mount) and a
 * fresh state folder `group`/state. `flags` go before the maildirs (e.g. --copy).
 */
export function trio(
  box: Sandbox,
  group: string,
  flags: readonly string[] = [],
  places: Partial<Record<'a' | 'b' | 'c', string>> = {},
): Trio {
  const dirs = (['a', 'b', 'c'] as const).map((name) => box.maildir(places[name] ?? `${group}/${name}`));
  const state = join(box.dir, group, 'state');
  return {
    dirs: dirs as unknown as [string, string, string],
    state,
    args: [...flags, '--state-dir', state, ...dirs],
  };
}

/** A message of about `bytes` bytes (headers, then numbered lines), unique per `tag`. */
export function messageOf(tag: string, bytes = 200): Buffer {
  const head = `From: faults@example.org\nTo: bb@example.org\nSubject: ${tag}\nMessage-ID: <${tag}@faults.example.org>\n\n`;
  const lines: string[] = [];
  for (let n = 0, size = head.length; size < bytes; n++) {
    const line = `line ${n} of ${tag}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(head + lines.join(''));
}

// ---------------------------------------------------------------------------------------------
// Mounts

const mounted: string[] = [];

/**
 * A tmpfs of `size` and `inodes` at `dir`, owned by the CLI's user, unmounted by unmountAll().
 * Returns why it could not be mounted (the caller skips with that reason), or undefined.
 */
export function tmpfsAt(dir: string, size: string, inodes = 4096): string | undefined {
  const why = mountTmpfs(dir, size, inodes);
  if (why === undefined) mounted.push(dir);
  return why;
}

/** mount -o remount,<options> of a tmpfs of ours (e.g. "ro", "rw", "size=8m"). */
export function remount(dir: string, options: string): void {
  const result = spawnSync('mount', ['-o', `remount,${options}`, dir], { encoding: 'utf8' });
  assert.equal(result.status, 0, `mount -o remount,${options} ${dir}: ${result.stderr}`);
}

/** Unmounts `dir` now (a fix: the mount was the fault). */
export function unmountNow(dir: string): void {
  const result = spawnSync('umount', [dir], { encoding: 'utf8' });
  assert.equal(result.status, 0, `umount ${dir}: ${result.stderr}`);
  mounted.splice(mounted.indexOf(dir), 1);
}

/** Unmounts every tmpfs still mounted by this file, innermost first. */
export function unmountAll(): void {
  for (const dir of mounted.reverse()) unmount(dir);
  mounted.length = 0;
}

/**
 * Fills the file system holding `dir` with files of `bytes` each until it refuses (ENOSPC),
 * written by the test (root ignores no tmpfs limit). Returns the files, to remove as the fix.
 */
export function fill(dir: string, bytes: number): string[] {
  const files: string[] = [];
  const chunk = Buffer.alloc(bytes, 'x');
  for (let n = 0; n < 100_000; n++) {
    const path = join(dir, `filler-${n}`);
    try {
      writeFileSync(path, chunk);
      files.push(path);
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        // A partly written last file keeps its blocks: keep it, so the disk stays full.
        if (existsSync(path)) files.push(path);
        return files;
      }
      throw error;
    }
  }
  throw new Error(`${dir}: 100000 files and still not full`);
}

// ---------------------------------------------------------------------------------------------
// The CLI under strace

/** The environment of every traced run: the harness's $HOME, libuv's one thread (counts). */
function tracedEnv(): Record<string, string> {
  return { PATH: '/usr/bin:/bin', HOME: testHome(), UV_THREADPOOL_SIZE: '1' };
}

export interface Traced {
  readonly child: ChildProcess;
  readonly done: Promise<RunResult>;
  /** strace's output file. */
  readonly log: string;
}

let logs = 0;

/**
 * Starts `strace -f -qq -o LOG STRACE_ARGS <cli> CLI_ARGS` as the CLI's user, stdin a pipe the
 * caller writes (or `input`, then closed). With `wrap`, the command is run through /bin/sh -c
 * `wrap` "$@" (e.g. to find the pipe of stdin first).
 */
export function startTraced(
  box: Sandbox,
  straceArgs: readonly string[],
  cliArgs: readonly string[],
  input?: string | Buffer,
): Traced {
  requireStrace();
  const log = box.file(`strace-${process.pid}-${++logs}.log`, '');
  const child = spawn('strace', ['-f', '-qq', '-o', log, ...straceArgs, cliPath(), ...cliArgs], {
    cwd: tmpdir(),
    env: tracedEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
  });
  const done = finished(child);
  if (input !== undefined) child.stdin.end(input);
  return { child, done, log };
}

/** Runs the CLI under strace with `straceArgs` (filters, injections), `input` on stdin. */
export function runTraced(
  box: Sandbox,
  straceArgs: readonly string[],
  cliArgs: readonly string[],
  input: string | Buffer,
): Promise<RunResult> {
  return startTraced(box, straceArgs, cliArgs, input).done;
}

/**
 * strace arguments that pause the `when`th call of `syscall` (per thread: see
 * fault-helpers.runWithFault) for `seconds` before it runs, tracing `syscall` and `also`.
 */
export function pauseAt(
  syscall: string,
  when: number,
  seconds = 1.5,
  also: readonly string[] = [],
): string[] {
  const usec = Math.round(seconds * 1e6);
  return [
    '-e',
    `trace=${[syscall, ...also].join(',')}`,
    '-e',
    `inject=${syscall}:delay_enter=${usec}:when=${when}`,
  ];
}

/** Polls strace's log until a line matches `pattern`; returns the match. */
export async function waitForTrace(
  log: string,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<RegExpExecArray> {
  const start = Date.now();
  for (;;) {
    const text = readFileSync(log, 'utf8');
    const match = pattern.exec(text);
    if (match !== null) return match;
    if (Date.now() - start > timeoutMs) {
      assert.fail(`no ${String(pattern)} in the strace log within ${timeoutMs} ms:\n${text.slice(-3000)}`);
    }
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

/** A regular expression matching a path literally. */
export function literal(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/**
 * A clean temporary failure before anything was published: `exit` and one stderr line with
 * `status` and `mentions`; no copy in new/ and no tmp file in any of `dirs`; no pending record.
 */
export function assertCleanFailure(
  result: RunResult,
  exit: number,
  status: string,
  trio: Trio,
  ...mentions: readonly string[]
): void {
  assertFailure(result, exit, status, ...mentions);
  assertNothingDelivered(trio.dirs);
  assert.deepEqual(journalRecords(trio.state).pending, [], 'no pending record after a clean failure');
}

/** The MTA's retry of the same bytes with the same journal: exit 0, silent, one copy each. */
export async function assertRetryDeliversOnce(trio: Trio, message: string | Buffer): Promise<void> {
  const retry = await runCli(trio.args, { input: message });
  assertSilentSuccess(retry);
  assertOneCopyEach(trio.dirs, message);
  assert.deepEqual(journalRecords(trio.state).pending, [], 'no pending record after the retry');
}

/** Names in tmp/ of each maildir (for messages). */
export function tmpListing(dirs: readonly string[]): string {
  return dirs.map((dir) => `${dir}/tmp: [${listMaildir(dir).tmp.join(' ')}]`).join('; ');
}

/**
 * Ages the message locks of a journal by a minute, as an MTA's retry minutes later would find
 * them: a run killed holding one leaves it, and it goes stale after 10 s (src/journal/lock.ts).
 */
export function ageLocks(state: string): void {
  const root = join(state, 'journal');
  if (!existsSync(root)) return;
  const then = new Date(Date.now() - 60_000);
  for (const host of readdirSync(root)) {
    const locks = join(root, host, 'locks');
    if (!existsSync(locks)) continue;
    for (const name of readdirSync(locks)) utimesSync(join(locks, name), then, then);
  }
}

/** Ages every file in tmp/ of `dirs` by 40 hours: stale for the self-check (36 h). */
export function ageTmpFiles(dirs: readonly string[]): void {
  const then = new Date(Date.now() - 40 * 3600 * 1000);
  for (const dir of dirs)
    for (const name of listMaildir(dir).tmp) utimesSync(join(dir, 'tmp', name), then, then);
}

/**
 * `maildir-fanout check --repair` over `trio`, after its leftover tmp files aged past 36 h;
 * then no target may hold a tmp file and no record may be pending. Returns check's result.
 */
export async function repairLeavesNoStrayTmp(trio: Trio, context: string): Promise<RunResult> {
  ageTmpFiles(trio.dirs);
  const result = await runCheck(['--repair', '--state-dir', trio.state, ...trio.dirs]);
  for (const dir of trio.dirs) {
    assert.deepEqual(
      listMaildir(dir).tmp,
      [],
      `check --repair must leave no tmp file in ${dir}${context}; check said: ${result.stdout}${result.stderr}`,
    );
  }
  assert.deepEqual(journalRecords(trio.state).pending, [], `no pending record after --repair${context}`);
  return result;
}
