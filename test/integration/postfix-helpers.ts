// Helpers for postfix.test.ts: the system's real Postfix (Debian's package) drives the built tool
// through a `|command` line in ~/.forward, exactly as a user installs it (README, "Use").
//
// setUpPostfix() needs root. It creates a dedicated unprivileged user (if missing), gives it three
// maildirs, a targets.json and a ~/.forward, configures Postfix for local delivery only (no SMTP
// listener, no relay, logging to a file so that no syslog daemon is needed), and starts it.
// tearDown() puts back what it changed: it stops Postfix, restores main.cf and master.cf, starts
// Postfix again if it was running before, and removes the user if it created it.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cliPath } from './harness';

export const USER = 'mfpostfix';
export const RECIPIENT = `${USER}@localhost`;
export const SENDER = 'sender@localhost';
export const LOG_FILE = '/var/log/postfix.log';
export const TARGET_NAMES = ['a', 'b', 'c'] as const;

const SBIN = '/usr/sbin';
const MAIN_CF = '/etc/postfix/main.cf';
const MASTER_CF = '/etc/postfix/master.cf';
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
const POLL_MS = 100;
/** How long any wait on Postfix may take before the test fails. */
export const WAIT_MS = 60_000;

/**
 * Local delivery only: mail for localhost goes to local(8), everything else fails at once, no
 * inet service runs (so no port 25 is needed), and the log goes to a file (postlogd), since test
 * machines and CI containers usually have no syslog daemon.
 */
const SETTINGS: Readonly<Record<string, string>> = {
  myhostname: 'localhost.localdomain',
  mydestination: 'localhost, $myhostname',
  inet_interfaces: 'loopback-only',
  inet_protocols: 'ipv4',
  master_service_disable: 'inet',
  relayhost: '',
  default_transport: 'error',
  relay_transport: 'error',
  allow_mail_to_commands: 'alias, forward',
  maillog_file: LOG_FILE,
  delay_warning_time: '0h',
  message_size_limit: String(50 * 1024 * 1024),
  mailbox_size_limit: String(100 * 1024 * 1024),
};

/** postlogd, which writes maillog_file; Debian's master.cf has it since Postfix 3.4. */
const POSTLOG_SERVICE = 'postlog/unix-dgram';
const POSTLOG_ENTRY = 'postlog unix-dgram n - n - 1 postlogd';

/** Whether Postfix (with its own sendmail, postqueue and postsuper) is installed. */
export function postfixInstalled(): boolean {
  return (
    ['postfix', 'postconf', 'postqueue', 'postsuper', 'sendmail'].every((name) =>
      existsSync(join(SBIN, name)),
    ) && existsSync(MAIN_CF)
  );
}

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a Postfix command (from /usr/sbin) with `input` on stdin; does not throw. */
function attempt(command: string, args: readonly string[], input?: Buffer): Outcome {
  const result = spawnSync(command.startsWith('/') ? command : join(SBIN, command), [...args], {
    env: ENV,
    input: input ?? Buffer.alloc(0),
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** Runs a command and throws with its output unless it exits 0; returns its stdout. */
function run(command: string, args: readonly string[], input?: Buffer): string {
  const outcome = attempt(command, args, input);
  if (outcome.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')}: exit ${String(outcome.status)}\n${outcome.stdout}${outcome.stderr}`,
    );
  }
  return outcome.stdout;
}

/** Polls `probe` until it returns a value other than undefined; fails after WAIT_MS with `details()`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  details: () => string,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}\n${details()}`);
    await sleep(POLL_MS);
  }
}

function postfixRunning(): boolean {
  return attempt('postfix', ['status']).status === 0;
}

async function startPostfix(): Promise<void> {
  run('postfix', ['start']);
  await waitFor(
    'Postfix to run',
    () => (postfixRunning() ? true : undefined),
    () => '',
  );
}

async function stopPostfix(): Promise<void> {
  run('postfix', ['stop']);
  await waitFor(
    'Postfix to stop',
    () => (postfixRunning() ? undefined : true),
    () => '',
  );
}

/** One message in `postqueue -j` (postqueue(1), "JSON object format"). */
export interface QueueEntry {
  readonly queue_name: string;
  readonly queue_id: string;
  readonly sender: string;
  readonly recipients: readonly { readonly address: string; readonly delay_reason?: string }[];
}

interface Account {
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

function account(): Account | undefined {
  const outcome = attempt('/usr/bin/getent', ['passwd', USER]);
  if (outcome.status !== 0) return undefined;
  const fields = outcome.stdout.trim().split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]! };
}

export interface Postfix {
  /** The user's home (mode 0755). */
  readonly home: string;
  /** The three target maildirs a, b, c, owned by the user. */
  readonly maildirs: readonly string[];
  /** The command of the ~/.forward line, as Postfix logs it. */
  readonly command: string;
  /** Hands `message` to Postfix's sendmail, from SENDER to RECIPIENT. */
  inject(message: Buffer): void;
  /** The queue as `postqueue -j` reports it. */
  queue(): QueueEntry[];
  /** `postqueue -f`: retry every deferred message now. */
  flush(): void;
  /** What Postfix logged since setUpPostfix(). */
  log(): string;
  /** The queue ID that cleanup(8) logged for a message with this Message-ID (waits for it). */
  queueId(messageId: string): Promise<string>;
  /** Queue and log, for failure messages. */
  describe(): string;
  tearDown(): Promise<void>;
}

/** Configures and starts Postfix and the test user; see the top of this file. Needs root. */
export async function setUpPostfix(): Promise<Postfix> {
  const wasRunning = postfixRunning();
  if (wasRunning) await stopPostfix();
  const mainCf = readFileSync(MAIN_CF);
  const masterCf = readFileSync(MASTER_CF);
  const logExisted = existsSync(LOG_FILE);
  const logOffset = logExisted ? statSync(LOG_FILE).size : 0;

  let createdUser = false;
  let home: string | undefined;
  let homeMode: number | undefined;
  // What this file writes into the user's home; an earlier (interrupted) run may have left it.
  const leftovers = (dir: string): string[] =>
    ['maildirs', 'targets.json', '.forward', '.local/state/maildir-fanout'].map((name) => join(dir, name));
  const restore = async (): Promise<void> => {
    if (postfixRunning()) await stopPostfix();
    writeFileSync(MAIN_CF, mainCf);
    writeFileSync(MASTER_CF, masterCf);
    if (!logExisted) rmSync(LOG_FILE, { force: true });
    if (wasRunning) await startPostfix();
    if (createdUser) {
      attempt('/usr/sbin/userdel', ['-r', USER]); // warns that the user has no mail spool
      if (home !== undefined) rmSync(home, { recursive: true, force: true });
    } else if (home !== undefined) {
      for (const path of leftovers(home)) rmSync(path, { recursive: true, force: true });
      for (const dir of ['.local/state', '.local']) removeIfEmpty(join(home, dir));
      if (homeMode !== undefined) chmodSync(home, homeMode);
    }
  };

  try {
    createdUser = account() === undefined;
    if (createdUser)
      run('/usr/sbin/useradd', ['-m', '-s', '/bin/sh', '-c', 'maildir-fanout Postfix test', USER]);
    const user = account()!;
    home = user.home;
    homeMode = statSync(home).mode & 0o7777;
    return await configure(user, leftovers(home), logOffset, restore);
  } catch (error) {
    await restore();
    throw error;
  }
}

async function configure(
  { uid, gid, home }: Account,
  leftovers: readonly string[],
  logOffset: number,
  restore: () => Promise<void>,
): Promise<Postfix> {
  chmodSync(home, 0o755);
  const own = (path: string, mode: number): void => {
    chownSync(path, uid, gid);
    chmodSync(path, mode);
  };
  for (const path of leftovers) rmSync(path, { recursive: true, force: true });

  const maildirRoot = join(home, 'maildirs');
  const config = join(home, 'targets.json');
  const forward = join(home, '.forward');
  mkdirSync(maildirRoot);
  own(maildirRoot, 0o700);
  const maildirs = TARGET_NAMES.map((name) => {
    const root = join(maildirRoot, name);
    mkdirSync(root);
    own(root, 0o700);
    for (const sub of ['tmp', 'new', 'cur']) {
      mkdirSync(join(root, sub));
      own(join(root, sub), 0o700);
    }
    return root;
  });
  const targets = TARGET_NAMES.map((name, i) => ({ name, path: maildirs[i]! }));
  writeFileSync(config, `${JSON.stringify({ targets }, null, 2)}\n`);
  own(config, 0o600);
  const command = `${cliPath()} --config ${config}`;
  writeFileSync(forward, `"|${command}"\n`);
  own(forward, 0o644);

  run('postconf', ['-e', ...Object.entries(SETTINGS).map(([name, value]) => `${name}=${value}`)]);
  if (attempt('postconf', ['-M', POSTLOG_SERVICE]).stdout.trim() === '') {
    run('postconf', ['-Me', `${POSTLOG_SERVICE}=${POSTLOG_ENTRY}`]);
  }
  await startPostfix();

  const readLog = (): string =>
    existsSync(LOG_FILE) ? readFileSync(LOG_FILE).subarray(logOffset).toString('utf8') : '';
  const queue = (): QueueEntry[] =>
    run('postqueue', ['-j'])
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as QueueEntry);
  const ours = (): string[] =>
    queue()
      .filter((e) => e.sender === SENDER || e.recipients.some((r) => r.address === RECIPIENT))
      .map((e) => e.queue_id);
  const dropOurs = (): void => {
    const ids = ours();
    if (ids.length > 0) run('postsuper', ['-d', '-'], Buffer.from(ids.join('\n') + '\n'));
  };
  dropOurs(); // mail an interrupted earlier run left in the queue
  const describe = (): string => {
    const listing = attempt('postqueue', ['-j']);
    return `postqueue -j:\n${listing.stdout}${listing.stderr}\n${LOG_FILE} since the test started:\n${readLog()}`;
  };

  return {
    home,
    maildirs,
    command,
    inject(message) {
      run('sendmail', ['-i', '-f', SENDER, RECIPIENT], message);
    },
    queue,
    flush() {
      run('postqueue', ['-f']);
    },
    log: readLog,
    async queueId(messageId) {
      const pattern = new RegExp(`: ([0-9A-Za-z]+): message-id=${escapeRegExp(messageId)}$`, 'm');
      return waitFor(`cleanup to log ${messageId}`, () => pattern.exec(readLog())?.[1], describe);
    },
    describe,
    async tearDown() {
      try {
        dropOurs();
      } finally {
        await restore();
      }
    },
  };
}

/** Removes a folder that setUpPostfix() may have left behind, unless something else is in it. */
function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or not there: either way, not ours to remove
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
