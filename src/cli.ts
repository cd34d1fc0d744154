// The shell: the only module that touches process.argv, process.env, stdin/stdout/stderr,
// signals and the exit status (STYLE.md §2). Everything it calls returns values.
import { parseCommandLine } from './cli/program';
import { runDelivery } from './cli/run';
import { runCheck, type CheckOptions } from './cli/check';
import { processIsAlive } from './check/journal-facts';
import { openJournal } from './journal/journal';
import { nameSource, systemNameInputs } from './maildir/name-source';
import { fdInput } from './message/fd-input';
import { nodeFileSystem } from './maildir/file-system';
import { tmpRegistry } from './maildir/tmp-registry';
import { messageOf } from './outcome/errno';
import { diagnosticFor, exitStatusFor, type ExitDialect } from './outcome/exit-status';
import { temporary, type Outcome } from './outcome/outcome';
import { interruptGuard } from './runtime/guard';
import { appendLog } from './log/write';

const registry = tmpRegistry(nodeFileSystem);
let dialect: ExitDialect = 'sysexits';
/** --quiet: no diagnostics on stderr (Exim's return_output bounces on any output). */
let quiet = false;
/** Running `check`, whose failures are reported as UNKNOWN (exit 3), not as a deferral. */
let checking = false;

/** Prints the diagnostic (if any) and exits. stderr is synchronous for files and pipes on Linux. */
function finish(outcome: Outcome): never {
  const line = diagnosticFor(outcome);
  if (line !== undefined && !quiet) {
    process.stderr.on('error', () => undefined); // a closed stderr must not turn into a crash
    process.stderr.write(`${line}\n`);
  }
  process.exit(exitStatusFor(outcome, dialect));
}

// Last resort (STYLE.md §3): anything unexpected is a temporary failure, never a stack trace
// (Node would exit 1, which Postfix and Exim bounce), and never a leftover tmp file.
const lastResort = (error: unknown): void => {
  registry.removeAllNow();
  if (checking) {
    // The self-check speaks the monitoring-plugins language: UNKNOWN, exit 3.
    process.stdout.write(`UNKNOWN - internal error: ${messageOf(error)}\n`);
    process.exit(3);
  }
  finish(temporary('4.3.0', `internal error: ${messageOf(error)}`));
};
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);

const guard = interruptGuard({
  removeTmpFiles: () => void registry.removeAllNow(),
  exit: (failure) => finish(failure),
  setTimer: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(timer) };
  },
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => guard.interrupt(temporary('4.3.0', `interrupted by ${signal}`)));
}

async function main(): Promise<never> {
  const invocation = parseCommandLine(process.argv.slice(2));
  if (invocation.kind === 'print') {
    process.stdout.write(invocation.text);
    process.exit(0);
  }
  if (invocation.kind === 'usage-error') {
    if (invocation.check) {
      process.stdout.write(`UNKNOWN - usage: ${invocation.text} (see maildir-fanout check --help)\n`);
      process.exit(3);
    }
    return finish(temporary('4.3.5', `usage: ${invocation.text} (see maildir-fanout --help)`));
  }
  if (invocation.kind === 'check') return check(invocation.options);
  const options = invocation.options;
  dialect = options.exitCodes;
  const message = fdInput(0);
  // The MTA that runs us writes the message into a pipe and waits for our exit status. If it
  // dies half-way (killed, crashed), the pipe simply ends: the end of input looks like the end
  // of the message, yet is not, and nobody will read our status. We are then orphaned (getppid()
  // changes), so a delivery checks that before it publishes (src/delivery/deliver.ts).
  const parent = process.ppid;
  const nameInputs = systemNameInputs();
  const names = nameSource(nameInputs);
  const outcome = await runDelivery(options, environment(), message.input, {
    fs: nodeFileSystem,
    names,
    openJournal: journalOpener(nameInputs, names),
    registry,
    egid: process.getegid?.() ?? -1,
    committing: guard.committing,
    startDeadline: (seconds) => {
      // unref: the timer alone must not keep a finished process alive.
      setTimeout(
        () => guard.interrupt(temporary('4.4.7', `delivery timed out after ${seconds} s`)),
        seconds * 1000,
      ).unref();
    },
    print: (text) => void process.stdout.write(text),
    silence: () => void (quiet = true),
    appendLog,
    pid: process.pid,
    now: Date.now,
    ...(message.stream
      ? {
          writerGone: () =>
            process.ppid === parent ? undefined : `the process that started us (pid ${parent}) ended`,
        }
      : {}),
  });
  if (outcome.kind !== 'ok') await message.drain();
  return finish(outcome);
}

/** `maildir-fanout check`: prints its report on stdout and exits with the plugin status. */
async function check(options: CheckOptions): Promise<never> {
  checking = true;
  const nameInputs = systemNameInputs();
  const names = nameSource(nameInputs);
  const result = await runCheck(options, environment(), {
    fs: nodeFileSystem,
    names,
    egid: process.getegid?.() ?? -1,
    now: Date.now,
    host: nameInputs.host,
    isAlive: processIsAlive,
    openJournal: journalOpener(nameInputs, names),
  });
  process.stdout.write(result.text);
  process.exit(result.exitCode);
}

/** Opens the journal of this host in a state folder; the same for delivery and check. */
function journalOpener(
  nameInputs: ReturnType<typeof systemNameInputs>,
  names: ReturnType<typeof nameSource>,
): (stateDir: string, keepDays: number) => ReturnType<typeof openJournal> {
  return (stateDir, keepDays) =>
    openJournal({
      stateDir,
      keepDays,
      host: nameInputs.host,
      pid: nameInputs.pid,
      now: Date.now,
      fs: nodeFileSystem,
      names,
    });
}

function environment() {
  return {
    vars: process.env,
    cwd: process.cwd(),
    home: process.env.HOME,
    xdgStateHome: process.env.XDG_STATE_HOME,
    uid: process.getuid?.() ?? -1,
  };
}

main().catch(lastResort);
