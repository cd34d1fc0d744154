// Test harness for integration tests: runs the built, bundled CLI the way an MTA does (a
// separate process, PATH=/usr/bin:/bin, message on stdin, an unprivileged user), in a sandbox
// folder of real maildirs on the real file system.
//
// CI runs as root, and root ignores file modes: whenever the tests run as root, the CLI runs as
// the unprivileged user `nobody` (uid/gid 65534; libuv drops supplementary groups with it), and
// sandboxes belong to that user. The built tool is copied to a world-readable folder first, as
// the checkout may sit under a private home directory.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const asRoot = process.getuid?.() === 0;
/** The user the CLI runs as when the tests run as root. */
export const TEST_UID = 65534;
export const TEST_GID = 65534;

const repo = resolve(__dirname, '../../..');
let installed: string | undefined;

/** Path of bin/maildir-fanout in a world-readable copy of the built tool. */
export function cliPath(): string {
  if (installed === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mf-tool-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist'));
    copyFileSync(join(repo, 'bin/maildir-fanout'), join(dir, 'bin/maildir-fanout'));
    chmodSync(join(dir, 'bin/maildir-fanout'), 0o755);
    // The entry point, the bundle and its code cache: what the launcher runs (src/start.ts).
    for (const file of ['start.js', 'maildir-fanout.js', 'maildir-fanout.js.cache']) {
      copyFileSync(join(repo, 'dist', file), join(dir, 'dist', file));
      chmodSync(join(dir, 'dist', file), 0o644);
    }
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    installed = join(dir, 'bin/maildir-fanout');
  }
  return installed;
}

export interface Sandbox {
  readonly dir: string;
  /** Creates a maildir (tmp, new, cur) at dir/<name>, owned by the test user; returns its path. */
  maildir(name: string): string;
  /** Writes dir/<name> (mode 0644 unless given), owned by the test user; returns its path. */
  file(name: string, content: string | Buffer, mode?: number): string;
  /** Writes a targets.json config; returns its path. */
  config(value: unknown, name?: string): string;
  /** Hands a path to the test user (for files made by the test itself). */
  own(path: string): void;
  remove(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'mf-test-'));
  const own = (path: string): void => {
    if (asRoot) chownSync(path, TEST_UID, TEST_GID);
  };
  chmodSync(dir, 0o755);
  own(dir);
  const box: Sandbox = {
    dir,
    maildir(name) {
      const root = join(dir, name);
      let parent = dir;
      for (const part of name.split('/').slice(0, -1)) {
        parent = join(parent, part);
        mkdirSync(parent, { recursive: true, mode: 0o755 });
        own(parent);
      }
      mkdirSync(root, { mode: 0o700 });
      own(root);
      for (const sub of ['tmp', 'new', 'cur']) {
        mkdirSync(join(root, sub), { mode: 0o700 });
        own(join(root, sub));
      }
      return root;
    },
    file(name, content, mode = 0o644) {
      const path = join(dir, name);
      writeFileSync(path, content, { mode });
      chmodSync(path, mode);
      own(path);
      return path;
    },
    config(value, name = 'targets.json') {
      return box.file(name, JSON.stringify(value, null, 2), 0o600);
    },
    own,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return box;
}

export interface RunOptions {
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Run as the invoking user even when that is root (for the refuse-root test). */
  readonly keepRoot?: boolean;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

let home: string | undefined;

/** A private $HOME for this test process (the journal lives under it), owned by the test user. */
export function testHome(): string {
  if (home === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mf-home-'));
    chmodSync(dir, 0o755);
    if (asRoot) chownSync(dir, TEST_UID, TEST_GID);
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    home = dir;
  }
  return home;
}

/** Starts the CLI as an MTA would; the caller feeds stdin and waits (see `finished`). */
export function startCli(args: readonly string[], options: RunOptions = {}): ChildProcess {
  const dropToUser = asRoot && options.keepRoot !== true;
  return spawn(cliPath(), [...args], {
    cwd: options.cwd ?? tmpdir(),
    env: { PATH: '/usr/bin:/bin', HOME: testHome(), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(dropToUser ? { uid: TEST_UID, gid: TEST_GID } : {}),
  });
}

/** Collects output and waits for the exit of a started CLI. */
export function finished(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.on('error', () => undefined); // the CLI may exit before reading everything
  return new Promise((resolveRun) => {
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI with `input` on stdin and waits for it. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = startCli(args, options);
  const done = finished(child);
  child.stdin?.end(options.input ?? '');
  return done;
}

/** Names in tmp/, new/ and cur/ of a maildir. */
export function listMaildir(root: string): { tmp: string[]; new: string[]; cur: string[] } {
  const list = (sub: string): string[] => readdirSync(join(root, sub)).sort();
  return { tmp: list('tmp'), new: list('new'), cur: list('cur') };
}

/** Contents of every file in new/. */
export function readNew(root: string): Buffer[] {
  return listMaildir(root).new.map((name) => readFileSync(join(root, 'new', name)));
}
