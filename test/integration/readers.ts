// Helpers for the delivery-result tests (bytes, concurrency, config, dry-run): read back what a
// delivery produced the way a consumer would, and build sandbox pieces the harness does not.
import { execFileSync } from 'node:child_process';
import { chmodSync, lchownSync, mkdirSync, statSync, symlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { asRoot, listMaildir, runCli, TEST_GID, TEST_UID, type RunOptions, type RunResult } from './harness';

/** One message as Python's mailbox.Maildir sees it. */
export interface PythonMessage {
  /** Length of get_bytes(key): the raw file, no line-end conversion. */
  readonly bytes: number;
  /** sha256 of get_bytes(key), hex. */
  readonly sha256: string;
  /** The Subject header as Python parses it, or null if there is none. */
  readonly subject: string | null;
}

// DESIGN.md, "Compatibility targets": Python's mailbox.Maildir must read what we write.
// factory=None gives MaildirMessage objects; create=False fails on anything that is not a maildir.
const PYTHON_READER = `
import hashlib, json, mailbox, sys
result = []
for path in sys.argv[1:]:
    box = mailbox.Maildir(path, factory=None, create=False)
    messages = []
    for key, message in box.iteritems():
        raw = box.get_bytes(key)
        subject = message['Subject']
        messages.append({'bytes': len(raw), 'sha256': hashlib.sha256(raw).hexdigest(),
                         'subject': None if subject is None else str(subject)})
    result.append(messages)
print(json.dumps(result))
`;

/** The messages in each maildir, read by python3's mailbox.Maildir (as the test process's user). */
export function pythonMaildirs(dirs: readonly string[]): PythonMessage[][] {
  const output = execFileSync('python3', ['-c', PYTHON_READER, ...dirs], { encoding: 'utf8' });
  return JSON.parse(output) as PythonMessage[][];
}

/** stat of every file in new/, in name order. */
export function statNew(root: string): Stats[] {
  return listMaildir(root).new.map((name) => statSync(join(root, 'new', name)));
}

/** The single file in new/ of a maildir; fails the test if there is not exactly one. */
export function onlyNewFile(root: string): string {
  const names = listMaildir(root).new;
  if (names.length !== 1) throw new Error(`${root}/new holds ${names.length} files, expected 1`);
  return join(root, 'new', names[0]!);
}

/** Permission bits of a path, for exact comparisons with 0o600, 0o640, 0o700. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o7777;
}

/** Folders base/<relative> (each part mode 0755), owned by the test user; returns the path. */
export function folder(base: string, relative: string): string {
  let path = base;
  for (const part of relative.split('/')) {
    path = join(path, part);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o755);
    if (asRoot) lchownSync(path, TEST_UID, TEST_GID);
  }
  return path;
}

/** A symlink at `path` pointing to `target`, owned by the test user. */
export function symlink(target: string, path: string): string {
  symlinkSync(target, path);
  if (asRoot) lchownSync(path, TEST_UID, TEST_GID);
  return path;
}

/**
 * Runs the CLI under the given umask: a child inherits the umask at spawn, which runCli does
 * synchronously, so the test process's own umask is restored before anything else runs.
 */
export function runCliWithUmask(
  umask: number,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const previous = process.umask(umask);
  try {
    return runCli(args, options);
  } finally {
    process.umask(previous);
  }
}

/** Polls `condition` every 10 ms; rejects after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}
