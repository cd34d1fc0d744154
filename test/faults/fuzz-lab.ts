// Shared tools of the hostile-input and load tests (issue 9): a seeded PRNG so that every random
// case can be replayed, the CLI run with a hard time bound (a hang fails the test instead of
// stalling it), the "never a crash" property of a run, and the byte-exact oracle of what a
// maildir file must hold (README, Guarantees 4: the input minus a leading From_ line).
//
// Replaying: every random test prints its seed; `FAULTS_SEED=<n> node scripts/run-tests.mjs
// faults/<file>.test.js` runs the same cases again. A failing input is written to a file under
// the system's temporary folder and its path is in the assertion message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  asRoot,
  finished,
  startCli,
  TEST_GID,
  TEST_UID,
  testHome,
  type RunOptions,
  type RunResult,
} from '../integration/harness';
import { mulberry32 } from '../integration/seeded-random';

/** The seed of this run: $FAULTS_SEED, or `fallback` so that CI runs the same cases every time. */
export function seedFromEnvironment(fallback: number): number {
  const raw = process.env.FAULTS_SEED;
  const seed = raw === undefined || raw === '' ? fallback : Number(raw);
  assert.ok(Number.isSafeInteger(seed), `FAULTS_SEED must be an integer, not ${String(raw)}`);
  return seed;
}

/** A count from the environment (e.g. FAULTS_CASES), or `fallback`. */
export function countFromEnvironment(name: string, fallback: number): number {
  const raw = process.env[name];
  const count = raw === undefined || raw === '' ? fallback : Number(raw);
  assert.ok(
    Number.isSafeInteger(count) && count > 0,
    `${name} must be a positive integer, not ${String(raw)}`,
  );
  return count;
}

/** mulberry32: a small, fast PRNG with a 32-bit state; the same seed gives the same sequence. */
export class Rng {
  /** A float in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    assert.ok(items.length > 0);
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** A child generator, so that one case's draws do not shift the next case's. */
  fork(): Rng {
    return new Rng(this.int(0x100000000));
  }
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

const keptDir = join(tmpdir(), 'mf-fuzz-failures');

/** Writes an input that made a test fail to a file (named by its hash); returns the path. */
export function keepInput(data: Buffer | string, suffix = 'eml'): string {
  mkdirSync(keptDir, { recursive: true });
  const path = join(keptDir, `${sha256(data).slice(0, 16)}.${suffix}`);
  writeFileSync(path, data);
  return path;
}

/**
 * Runs the checks of one case; if one fails, appends `kept()` (e.g. where the failing input was
 * written with keepInput) to its message. Keeps the costly part off the path of passing cases.
 */
export async function explained(work: () => void | Promise<void>, kept: () => string): Promise<void> {
  try {
    await work();
  } catch (error: unknown) {
    if (error instanceof Error) error.message += `\n${kept()}`;
    throw error;
  }
}

/** How long one run may take before it counts as a hang (a 10 MiB message takes ~1 s). */
export const HANG_MS = 60_000;

export interface BoundedResult extends RunResult {
  /** The run was killed after `timeoutMs`: a hang. */
  readonly hung: boolean;
}

/** Kills `child` with SIGKILL after `timeoutMs`; resolves with its result and whether it hung. */
async function bounded(
  child: ReturnType<typeof startCli>,
  input: string | Buffer,
  timeoutMs: number,
): Promise<BoundedResult> {
  const done = finished(child);
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  child.stdin?.end(input);
  try {
    return { ...(await done), hung };
  } finally {
    clearTimeout(timer);
  }
}

/** The CLI as the harness runs it (an MTA's environment, unprivileged), killed if it hangs. */
export function runBounded(
  args: readonly string[],
  options: RunOptions & { readonly timeoutMs?: number } = {},
): Promise<BoundedResult> {
  return bounded(startCli(args, options), options.input ?? '', options.timeoutMs ?? HANG_MS);
}

/**
 * `/bin/sh -c script` as the CLI's user, with exactly `env` (plus PATH and the test $HOME unless
 * given): the way to hand the CLI environment values that are not UTF-8, which Node's spawn
 * cannot pass (the shell builds them with printf).
 */
export function runShellBounded(
  script: string,
  input: string | Buffer,
  env: Readonly<Record<string, string>> = {},
  timeoutMs = HANG_MS,
): Promise<BoundedResult> {
  const child = spawn('/bin/sh', ['-c', script], {
    cwd: tmpdir(),
    env: { PATH: '/usr/bin:/bin', HOME: testHome(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
  });
  return bounded(child, input, timeoutMs);
}

/** A one-line summary of a run for assertion messages. */
export function describeRun(result: BoundedResult): string {
  const cut = (s: string): string => (s.length > 600 ? `${s.slice(0, 600)}…(${s.length} chars)` : s);
  return (
    `exit ${String(result.code)}, signal ${String(result.signal)}, hung ${String(result.hung)}, ` +
    `stdout ${JSON.stringify(cut(result.stdout))}, stderr ${JSON.stringify(cut(result.stderr))}`
  );
}

/** What Node prints for an uncaught exception: a frame line, or the name of an Error class. */
const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\))$|^\w*Error(\s\[\w+\])?: |node:internal/m;

/**
 * Never a crash and never a hang: the process ended by itself (no signal, not killed by the
 * bound), with one of the exits the README documents (0, 75, 65; 111/100 with
 * --exit-codes qmail), and without a stack trace on either stream. 1 is Node's own exit for an
 * uncaught exception, which Postfix and Exim bounce.
 */
export function assertNoCrash(result: BoundedResult, context: () => string): void {
  const why = (): string => `${describeRun(result)}; ${context()}`;
  assert.ok(!result.hung, `hang: killed after the time bound; ${why()}`);
  assert.equal(result.signal, null, `ended by a signal; ${why()}`);
  assert.ok([0, 65, 75, 100, 111].includes(result.code ?? -1), `undocumented exit status; ${why()}`);
  assert.ok(!STACK_TRACE.test(result.stderr), `a stack trace on stderr; ${why()}`);
  assert.ok(!STACK_TRACE.test(result.stdout), `a stack trace on stdout; ${why()}`);
}

/**
 * A failure's diagnostic, as README "Exit status" describes it: exactly one line on stderr that
 * starts with an RFC 3463 code and "maildir-fanout: ", nothing on stdout (dry runs aside).
 * Returns the code (e.g. "4.3.5").
 */
export function diagnosticCode(result: BoundedResult, context: () => string, dryRun = false): string {
  const why = (): string => `${describeRun(result)}; ${context()}`;
  const match = /^([45]\.\d{1,3}\.\d{1,3}) maildir-fanout: \S.*\n$/.exec(result.stderr);
  assert.ok(match !== null, `stderr must be one line "<4.x.x|5.x.x> maildir-fanout: …"; ${why()}`);
  if (!dryRun) assert.equal(result.stdout, '', `stdout must stay empty; ${why()}`);
  return match[1]!;
}

const FROM_ = Buffer.from('From ');

/**
 * The oracle of README, Guarantees 4: the bytes a maildir file holds for `input`, i.e. the input
 * with a leading mbox "From " line (up to and including its LF; all of it if it has none)
 * removed; every other byte as is. Written independently of src/message/from-line.ts.
 */
export function expectedFile(input: Buffer): Buffer {
  if (input.length < FROM_.length || !input.subarray(0, FROM_.length).equals(FROM_)) return input;
  const end = input.indexOf(0x0a);
  return end === -1 ? Buffer.alloc(0) : input.subarray(end + 1);
}

/** Every file and folder under `root` (relative path → "d" or the file's size), for "nothing written". */
export function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      out.set(relative(root, path), stat.isDirectory() ? 'd' : String(stat.size));
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

/** Entries of `after` that are not in `before`, or changed. */
export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [path, what] of after) if (before.get(path) !== what) changed.push(`${path} (${what})`);
  for (const path of before.keys()) if (!after.has(path)) changed.push(`${path} (removed)`);
  return changed.sort();
}

/** Runs `work(i)` for i in [0, count) with at most `width` at once; results in order. */
export async function pool<T>(count: number, width: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}
