// Helpers for the self-check's integration tests (`maildir-fanout check`, issue 6): run it as
// cron or a monitoring system would, read its three outputs (text, a Nagios plugin line, JSON),
// and set real faults up: files aged with touch -d, a journal intent of a process that is gone,
// a tiny tmpfs for free space and inodes.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalLayout } from '../../src/journal/layout';
import { recordName } from '../../src/journal/layout';
import { serializeRecord, type JournalRecord } from '../../src/journal/record';
import { asRoot, runCli, TEST_GID, TEST_UID, type RunOptions, type RunResult } from './harness';

/** `maildir-fanout check ARGS`, as the harness runs the CLI (unprivileged, PATH=/usr/bin:/bin). */
export function runCheck(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runCli(['check', ...args], options);
}

const describeRun = (result: RunResult): string =>
  `exit ${String(result.code)}, signal ${String(result.signal)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;

/** Healthy: exit 0 and no output at all, neither on stdout nor on stderr (cron mails any). */
export function assertSilent(result: RunResult): void {
  assert.equal(result.code, 0, describeRun(result));
  assert.equal(result.stdout + result.stderr, '', describeRun(result));
}

/**
 * A text report: `exit`, nothing on stderr, the first line "maildir-fanout check: STATUS: …",
 * every one of `mentions` somewhere in it. Returns its lines (without the final empty one).
 */
export function assertReport(
  result: RunResult,
  exit: number,
  status: string,
  ...mentions: readonly string[]
): string[] {
  const context = describeRun(result);
  assert.equal(result.signal, null, context);
  assert.equal(result.code, exit, context);
  assert.equal(result.stderr, '', `stderr must stay empty; ${context}`);
  assert.ok(result.stdout.startsWith(`maildir-fanout check: ${status}: `), `first line; ${context}`);
  assert.ok(result.stdout.endsWith('\n'), `ends with a newline; ${context}`);
  for (const words of mentions) {
    assert.ok(result.stdout.includes(words), `must mention ${JSON.stringify(words)}; ${context}`);
  }
  return result.stdout.slice(0, -1).split('\n');
}

/**
 * The one report line of `check` about `target` (undefined: the config or the journal); fails
 * unless there is exactly one with that status. Returns its text after "CHECK: ".
 */
export function lineOf(
  lines: readonly string[],
  status: string,
  target: string | undefined,
  check: string,
): string {
  const prefix = `${status} ${target === undefined ? '' : `target ${target}: `}${check}: `;
  const found = lines.filter((line) => line.startsWith(prefix));
  assert.equal(found.length, 1, `one line starting ${JSON.stringify(prefix)} in:\n${lines.join('\n')}`);
  return found[0]!.slice(prefix.length);
}

/** Sets the modification time of `path` with touch -d (e.g. "40 hours ago"). */
export function age(path: string, ago: string): void {
  execFileSync('touch', ['-d', ago, path]);
}

/** The pid of a process that has already exited (its journal intent belongs to nobody). */
export function deadPid(): number {
  const child = spawnSync('true');
  assert.equal(child.status, 0);
  assert.ok(child.pid > 0);
  return child.pid;
}

/** Writes `record` into pending/ (or done/) of `layout`, owned by the CLI's user. */
export function plantRecord(
  layout: JournalLayout,
  record: JournalRecord,
  own: (path: string) => void,
  kind: 'pending' | 'done' = 'pending',
): string {
  const path = join(layout[kind], recordName(record.digest));
  writeFileSync(path, serializeRecord(record), { mode: 0o600 });
  own(path);
  return path;
}

/** One performance value of a plugin's output: 'label'=value[UOM];[warn];[crit];[min];[max]. */
export interface Perf {
  readonly label: string;
  readonly value: number;
  readonly uom: string;
  readonly warn: string;
  readonly crit: string;
  readonly min: string;
  readonly max: string;
}

/** A plugin range (monitoring-plugins development guidelines): [@][start:][end], ~ for -∞. */
const RANGE = /^(@?(?:(?:~|-?[0-9]+(?:\.[0-9]+)?):)?(?:-?[0-9]+(?:\.[0-9]+)?)?)$/;
/** One perfdata item, with the space that separates it from the next. */
const PERF = /'((?:[^']|'')+)'=(-?[0-9]+(?:\.[0-9]+)?)(s|ms|us|%|B|KB|MB|TB|c)?((?:;[^; ]*){0,4})(?: |$)/y;

/**
 * The output of a Nagios/Icinga plugin: exactly one line "STATUS - summary | perfdata", the
 * perfdata parsed strictly by the guidelines' grammar (labels quoted, '' for a quote in one).
 */
export function parseNagios(stdout: string): { status: string; summary: string; perf: Perf[] } {
  assert.ok(stdout.endsWith('\n') && stdout.indexOf('\n') === stdout.length - 1, `one line: ${stdout}`);
  const line = stdout.slice(0, -1);
  const head = /^(OK|WARNING|CRITICAL|UNKNOWN) - (.*)$/.exec(line);
  assert.ok(head !== null, `"STATUS - summary": ${line}`);
  const bar = head[2]!.indexOf(' | ');
  const summary = bar === -1 ? head[2]! : head[2]!.slice(0, bar);
  assert.ok(!summary.includes('|'), `no "|" in the summary: ${summary}`);
  const perf: Perf[] = [];
  if (bar !== -1) {
    const data = head[2]!.slice(bar + 3);
    PERF.lastIndex = 0;
    while (PERF.lastIndex < data.length) {
      const at = PERF.lastIndex;
      const m = PERF.exec(data);
      assert.ok(m !== null, `perfdata item at ${at}: ${JSON.stringify(data.slice(at, at + 80))}`);
      const [warn = '', crit = '', min = '', max = ''] = (m[4] ?? '').split(';').slice(1);
      for (const range of [warn, crit]) assert.match(range, RANGE, `threshold range in ${m[0]}`);
      for (const bound of [min, max]) assert.match(bound, /^(-?[0-9]+(\.[0-9]+)?)?$/, `min/max in ${m[0]}`);
      perf.push({
        label: m[1]!.replace(/''/g, "'"),
        value: Number(m[2]),
        uom: m[3] ?? '',
        warn,
        crit,
        min,
        max,
      });
    }
  }
  return { status: head[1]!, summary, perf };
}

/** The JSON report's shape (src/check/report.ts). */
export interface JsonReport {
  readonly status: string;
  readonly exit: number;
  /** The config file, or null for maildir arguments. */
  readonly config: string | null;
  readonly findings: readonly {
    readonly target?: string;
    readonly check: string;
    readonly status: string;
    readonly text: string;
    readonly perf?: readonly {
      label: string;
      value: number;
      unit: string;
      warning?: number;
      critical?: number;
      low?: boolean;
    }[];
  }[];
  readonly repairs: readonly string[];
}

export function parseJson(stdout: string): JsonReport {
  const value = JSON.parse(stdout) as JsonReport;
  assert.equal(typeof value.status, 'string');
  assert.equal(typeof value.exit, 'number');
  assert.ok(Array.isArray(value.findings) && Array.isArray(value.repairs), stdout);
  return value;
}

/**
 * Mounts a tmpfs of `size` and `inodes` at `dir` (created), owned by the CLI's user. Returns why
 * it could not (not root, no mount(8), no permission), or undefined once mounted.
 */
export function mountTmpfs(dir: string, size: string, inodes: number): string | undefined {
  if (!asRoot) return 'mounting a tmpfs needs root';
  mkdirSync(dir, { recursive: true });
  const options = `size=${size},nr_inodes=${inodes},mode=0755,uid=${TEST_UID},gid=${TEST_GID}`;
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.error !== undefined || mounted.status !== 0) {
    return `mount -t tmpfs failed: ${mounted.error?.message ?? mounted.stderr.trim()}`;
  }
  return undefined;
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

/** Free blocks × block size and free inodes of the file system holding `path`, as check sees them. */
export function freeOf(path: string): { bytes: number; inodes: number; blockSize: number } {
  const s = statfsSync(path);
  return { bytes: s.bavail * s.bsize, inodes: s.ffree, blockSize: s.bsize };
}
