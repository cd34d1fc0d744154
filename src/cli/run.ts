// The runner: turns parsed options and the environment into a delivery (or a dry run) and an
// Outcome. It reads the config and the message, but never touches process.* itself: the shell
// (src/cli.ts) hands it everything, so tests can drive it with any environment.
import { resolve } from 'node:path';
import { loadConfig } from '../config/load';
import { resolveConfigPath } from '../config/paths';
import { DEFAULT_MODE, DEFAULT_SETTINGS, type Config, type JournalSettings } from '../config/types';
import type { Journal } from '../journal/journal';
import { defaultStateDir } from '../journal/state-dir';
import { deliver, type DeliveryDeps } from '../delivery/deliver';
import { explain } from '../delivery/explain';
import { temporary, type Failure, type Outcome } from '../outcome/outcome';
import type { DeliverOptions } from './program';

export interface Environment {
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
}

export async function runDelivery(
  options: DeliverOptions,
  env: Environment,
  input: AsyncIterable<Buffer | string> | undefined,
  deps: RunnerDeps,
): Promise<Outcome> {
  // DESIGN.md, Security: files written as root would be unreadable by the consumers, and a
  // root MDA fed by the Internet is a needless risk. qmail-local and getmail refuse it too.
  if (env.uid === 0 && !options.allowRoot) {
    return temporary(
      '4.3.5',
      'refusing to run as root (deliver as the mail recipient, or pass --allow-root)',
    );
  }
  const configured = await configure(options, env);
  if ('kind' in configured) return configured;
  deps.startDeadline(configured.settings.timeoutSeconds);
  const journal = journalFor(configured.settings.journal, env, deps);
  if (journal !== undefined && 'kind' in journal) return journal;
  if (options.dryRun) {
    const report = await explain(configured, input, { ...deps, journal }, options.config);
    deps.print(report.text);
    return report.outcome;
  }
  if (input === undefined) return temporary('4.3.0', 'no message: standard input is a terminal');
  return (await deliver(configured.targets, configured.settings, input, { ...deps, journal })).outcome;
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
async function configure(options: DeliverOptions, env: Environment): Promise<Config | Failure> {
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
  return {
    targets: config.targets,
    settings: {
      sizeLimit: options.sizeLimit ?? config.settings.sizeLimit,
      timeoutSeconds: options.timeout ?? config.settings.timeoutSeconds,
      hardLinks: options.copy ? false : config.settings.hardLinks,
      journal: {
        enabled: options.journal && config.settings.journal.enabled,
        dir:
          options.stateDir === undefined ? config.settings.journal.dir : resolve(env.cwd, options.stateDir),
        keepDays: config.settings.journal.keepDays,
      },
    },
  };
}
