// Runs the built CLI the way qmail-local runs a `|command` line of a .qmail file
// (anchors-mda.md §2.1 and §4; qmail-command(8)): `/bin/sh -c command` in $HOME, stdin the
// message file itself (seekable, rewound to its start before each instruction), and the
// environment qmail-local sets — nothing else. As root, the shell runs as the test user.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { asRoot, cliPath, finished, TEST_GID, TEST_UID, type RunResult } from './harness';

/** The envelope of the test messages: bb-foo@example.org, from s@example.org. */
export const RPLINE = 'Return-Path: <s@example.org>\n';
export const DTLINE = 'Delivered-To: bb-foo@example.org\n';

/** Exactly the variables qmail-local sets for bb-foo@example.org (qmail-command(8)). */
export function qmailEnv(
  home: string,
  change: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    SENDER: 's@example.org',
    NEWSENDER: 's@example.org',
    RECIPIENT: 'bb-foo@example.org',
    USER: 'bb',
    HOME: home,
    HOST: 'example.org',
    LOCAL: 'bb-foo',
    EXT: 'foo',
    DTLINE,
    RPLINE,
    UFLINE: 'From s@example.org Sat Nov 28 14:00:00 2026\n',
    PATH: '/usr/bin:/bin',
    ...change,
  };
}

/** A word for /bin/sh: single-quoted. */
export const shellWord = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;

/** The .qmail line `|maildir-fanout <args>`, with the path of the built tool. */
export const qmailCommand = (args: readonly string[]): string =>
  [cliPath(), ...args].map(shellWord).join(' ');

/**
 * Runs `command` as qmail-local does: /bin/sh -c, cwd $HOME (env.HOME), stdin the file at
 * `messageFile` opened at offset 0 (qmail's seek_begin(0) before each instruction).
 */
export function runQmailCommand(
  command: string,
  messageFile: string,
  env: Readonly<Record<string, string>>,
): Promise<RunResult> {
  const fd = openSync(messageFile, 'r');
  try {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: env.HOME,
      env,
      stdio: [fd, 'pipe', 'pipe'],
      ...(asRoot ? { uid: TEST_UID, gid: TEST_GID } : {}),
    });
    return finished(child);
  } finally {
    closeSync(fd); // the child has its own copy
  }
}
