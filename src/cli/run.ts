// The runner: turns parsed options and the environment into a delivery (or a dry run) and an
// Outcome. It reads the config and the message, but never touches process.* itself: the shell
// (src/cli.ts) hands it everything, so tests can drive it with any environment.
import { resolve } from 'node:path';
import { loadConfig } from '../config/load';
import { resolveConfigPath } from '../config/paths';
import { DEFAULT_MODE, DEFAULT_SETTINGS, type Config, type JournalSettings } from '../config/types';
import type { Journal } from '../journal/journal';
import { defaultStateDir } from '../journal/state-dir';
import { deliver, type DeliveryDeps, type DeliveryResult } from '../delivery/deliver';
import { explain } from '../delivery/explain';
import { temporary, type Failure, type Outcome } from '../outcome/outcome';
import { logLine } from '../log/line';
import { detectCaller, type Caller, type EnvironmentVariables } from '../mta/caller';
import { traceHeaders } from '../mta/trace-headers';
import type { DeliverOptions } from './program';

export interface Environment {
  /** All environment variables, for the caller's trace data (src/mta/caller.ts). */
  readonly vars: EnvironmentVariables;
  readonly cwd: string;
  readonly home: string | undefined;
  readonly xdgStateHome: string | undefined;
  readonly uid: number;
}

export interface RunnerDeps extends Omit<DeliveryDeps, 'journal'> {
  /** Opens the journal in a state folder (src/journal/journal.ts). */
  openJournal(stateDir: string, keepDays: number): Journal;
  /** Starts the internal deadline once the configured timeout is known. */
  startDeadline(seconds: number): void;
  /** Where --dry-run prints its report. */
  print(text: string): void;
  /** Called when the settings ask for no diagnostics on stderr (--quiet). */
  silence(): void;
  /** Appends a line to the delivery log (src/log/write.ts). */
  appendLog(destination: string, line: string): Promise<void>;
  readonly pid: number;
  readonly now: () => number;
}

export async function runDelivery(
  options: DeliverOptions,
  env: Environment,
  input: AsyncIterable<Buffer | string> | undefined,
  deps: RunnerDeps,
): Promise<Outcome> {
  // --quiet and --log on the command line hold even when the config cannot be read: under
  // Exim, printing that the config is broken would turn a deferral into a bounce.
  if (options.quiet) deps.silence();
  const started = deps.now();
  const caller = detectCaller(env.vars);
  const run = await runInner(options, env, input, deps, caller);
  const destination = run.log ?? commandLineLog(options, env);
  if (destination !== undefined && !options.dryRun) {
    const line = logLine({
      time: new Date(deps.now()),
      pid: deps.pid,
      mta: caller.mta,
      outcome: run.outcome,
      messageId: run.result?.messageId,
      digest: run.result?.digest,
      bytes: run.result?.bytes,
      discarded: run.result?.discarded === true,
      delivered: run.result?.delivered.map((d) => d.target) ?? [],
      skipped: run.result?.skipped ?? [],
      milliseconds: deps.now() - started,
    });
    await deps.appendLog(destination, line);
  }
  return run.outcome;
}

interface Run {
  readonly outcome: Outcome;
  readonly result?: DeliveryResult;
  /** The log destination of the effective settings, once they are known. */
  readonly log?: string | undefined;
}

async function runInner(
  options: DeliverOptions,
  env: Environment,
  input: AsyncIterable<Buffer | string> | undefined,
  deps: RunnerDeps,
  caller: Caller,
): Promise<Run> {
  // DESIGN.md, Security: files written as root would be unreadable by the consumers, and a
  // root MDA fed by the Internet is a needless risk. qmail-local and getmail refuse it too.
  if (env.uid === 0 && !options.allowRoot) {
    return {
      outcome: temporary(
        '4.3.5',
        'refusing to run as root (deliver as the mail recipient, or pass --allow-root)',
      ),
    };
  }
  const configured = await configure(options, env);
  if ('kind' in configured) return { outcome: configured };
  const { settings } = configured;
  const log = settings.log;
  if (settings.quiet && !options.quiet) deps.silence(); // --quiet silenced already
  deps.startDeadline(settings.timeoutSeconds);
  const trace = traceHeaders(settings.traceHeaders, caller);
  const journal = journalFor(settings.journal, env, deps);
  if (journal !== undefined && 'kind' in journal) return { outcome: journal, log };
  if (options.dryRun) {
    const report = await explain(configured, input, { ...deps, journal }, options.config, caller, trace);
    deps.print(report.text);
    return { outcome: report.outcome, log };
  }
  if (input === undefined)
    return { outcome: temporary('4.3.0', 'no message: standard input is a terminal'), log };
  const result = await deliver(configured.targets, settings, input, { ...deps, journal }, trace);
  return { outcome: result.outcome, result, log };
}

/** --log as given on the command line, resolved against the working directory. */
function commandLineLog(options: DeliverOptions, env: Environment): string | undefined {
  if (options.log === undefined || options.log === 'syslog') return options.log;
  return resolve(env.cwd, options.log);
}

/** The journal to use, undefined when it is off, or why there is none. */
function journalFor(
  settings: JournalSettings,
  env: Environment,
  deps: RunnerDeps,
): Journal | Failure | undefined {
  if (!settings.enabled) return undefined;
  const dir = settings.dir ?? defaultStateDir(env.xdgStateHome, env.home);
  if (dir === undefined) {
    return temporary(
      '4.3.5',
      'no folder for the exactly-once journal: set $HOME, or journal.dir in the config, or --state-dir',
    );
  }
  return deps.openJournal(dir, settings.keepDays);
}

/** The effective config: the file or the arguments, then command-line overrides. */
export async function configure(options: DeliverOptions, env: Environment): Promise<Config | Failure> {
  let config: Config;
  if (options.config !== undefined) {
    if (options.maildirs.length > 0) {
      return temporary('4.3.5', 'give either --config or maildir arguments, not both');
    }
    // Ignoring them would hide a mistake: with a config, "create" and "mode" are per target.
    if (options.create || options.mode !== undefined) {
      return temporary(
        '4.3.5',
        '--create and --mode apply to maildir arguments; with --config use the "create" and "mode" keys of each target',
      );
    }
    const loaded = await loadConfig(options.config, env);
    if (!loaded.ok) return loaded.failure;
    config = loaded.config;
  } else if (options.maildirs.length > 0) {
    const targets = [];
    for (const raw of options.maildirs) {
      const resolved = resolveConfigPath(raw, env.cwd, env.home);
      if (!resolved.ok) return temporary('4.3.5', `maildir argument ${resolved.problem}`);
      targets.push({
        name: raw,
        path: resolve(resolved.path),
        mode: options.mode ?? DEFAULT_MODE,
        create: options.create,
      });
    }
    config = { targets, settings: DEFAULT_SETTINGS };
  } else {
    return temporary('4.3.5', 'no targets: give --config FILE or one or more maildirs');
  }
  const log = commandLineLog(options, env) ?? config.settings.log;
  if (config.settings.unmatched.kind === 'discard' && log === undefined) {
    return temporary(
      '4.3.5',
      '"unmatched": "discard" needs a delivery log ("log" in the config, or --log), so that discarded mail leaves a trace',
    );
  }
  return {
    targets: config.targets,
    settings: {
      sizeLimit: options.sizeLimit ?? config.settings.sizeLimit,
      timeoutSeconds: options.timeout ?? config.settings.timeoutSeconds,
      hardLinks: options.copy ? false : config.settings.hardLinks,
      traceHeaders: options.traceHeaders ?? config.settings.traceHeaders,
      quiet: options.quiet || config.settings.quiet,
      log,
      unmatched: config.settings.unmatched,
      check: config.settings.check,
      journal: {
        enabled: options.journal && config.settings.journal.enabled,
        dir:
          options.stateDir === undefined ? config.settings.journal.dir : resolve(env.cwd, options.stateDir),
        keepDays: config.settings.journal.keepDays,
      },
    },
  };
}
