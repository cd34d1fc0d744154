// The `check` subcommand's runner (README, "Self-check"): the config as a delivery reads it,
// then every target and the journal, then the report. Like run.ts it never touches process.*:
// the shell (src/cli.ts) prints the text and exits with the code.
import type { Config } from '../config/types';
import { evaluateMaildir, isFailure } from '../check/evaluate';
import { evaluateJournal } from '../check/evaluate-journal';
import { STATUS_EXIT, type Finding } from '../check/finding';
import { journalFacts, type JournalFacts } from '../check/journal-facts';
import { maildirFacts, type FactDeps, type MaildirFacts } from '../check/maildir-facts';
import { repair, type StaleFile } from '../check/repair';
import { report, statusOf, type CheckResult, type ReportFormat } from '../check/report';
import type { Journal } from '../journal/journal';
import { journalLayout } from '../journal/layout';
import { defaultStateDir } from '../journal/state-dir';
import { ioFailure } from '../outcome/io-failure';
import { configure, type Environment } from './run';

export interface CheckOptions {
  readonly config?: string;
  readonly maildirs: readonly string[];
  readonly stateDir?: string;
  readonly allowRoot: boolean;
  readonly format: ReportFormat;
  readonly verbose: boolean;
  readonly repair: boolean;
}

export interface CheckDeps extends FactDeps {
  readonly host: string;
  readonly isAlive: (pid: number) => boolean;
  openJournal(stateDir: string, keepDays: number): Journal;
}

export async function runCheck(
  options: CheckOptions,
  env: Environment,
  deps: CheckDeps,
): Promise<{ text: string; exitCode: number }> {
  const result = await checkAll(options, env, deps);
  const status = statusOf(result);
  return { text: report(result, options.format, options.verbose), exitCode: STATUS_EXIT[status] };
}

async function checkAll(options: CheckOptions, env: Environment, deps: CheckDeps): Promise<CheckResult> {
  const about = options.config;
  const only = (finding: Finding): CheckResult => ({ config: about, findings: [finding], repairs: [] });
  if (options.config === undefined && options.maildirs.length === 0) {
    return only({
      check: 'usage',
      status: 'UNKNOWN',
      text: 'no targets: give --config FILE or one or more maildirs',
    });
  }
  if (options.config !== undefined && options.maildirs.length > 0) {
    // A mistake on the check's own command line, not in what deliveries use.
    return only({
      check: 'usage',
      status: 'UNKNOWN',
      text: 'give either --config or maildir arguments, not both',
    });
  }
  if (env.uid === 0 && !options.allowRoot) {
    // As for delivery: a probe or a repair as root would act with root's rights in users' maildirs.
    return only({
      check: 'user',
      status: 'UNKNOWN',
      text: 'refusing to run as root (run as the mail recipient, or pass --allow-root)',
    });
  }
  const configured = await configure(
    {
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
      maildirs: options.maildirs,
      dryRun: true,
      allowRoot: options.allowRoot,
      copy: false,
      create: false,
      journal: true,
      quiet: false,
      exitCodes: 'sysexits',
    },
    env,
  );
  if ('kind' in configured) {
    // The delivery's own diagnostic, status code included: what the MTA would log.
    return only({
      check: 'config',
      status: 'CRITICAL',
      text: `${configured.status} ${configured.text}: deliveries defer until it is fixed`,
    });
  }
  const config = configured;
  const stateDir = config.settings.journal.enabled
    ? (config.settings.journal.dir ?? defaultStateDir(env.xdgStateHome, env.home))
    : undefined;
  const layout = stateDir === undefined ? undefined : journalLayout(stateDir, deps.host);
  const readJournal = async (): Promise<JournalFacts | undefined> =>
    layout === undefined ? undefined : journalFacts(layout, deps.isAlive, deps.now());

  const repairs: string[] = [];
  if (options.repair) {
    const listStale = async (): Promise<StaleFile[]> => {
      const current = await gatherMaildirs(config, deps);
      return config.targets.flatMap((target, index) => {
        const f = current[index];
        if (f?.kind !== 'ready' || isFailure(f.tmp)) return [];
        return f.tmp.older.map(([path, mtimeMs]) => ({ target: target.name, path, mtimeMs }));
      });
    };
    const journal =
      stateDir === undefined ? undefined : deps.openJournal(stateDir, config.settings.journal.keepDays);
    repairs.push(...(await repair({ journal, readJournal, listStale, now: deps.now })));
  }
  // Read once, after any repair: its findings, and the tmp files it owns, which are the
  // journal's (reported under "journal"), not stale.
  let journal: { facts: JournalFacts | undefined } | { error: unknown };
  try {
    journal = { facts: await readJournal() };
  } catch (error: unknown) {
    journal = { error };
  }
  const owned = ('facts' in journal ? journal.facts?.owned : undefined) ?? new Set<string>();
  const facts = (await gatherMaildirs(config, deps)).map((f) => withoutOwned(f, owned));

  const findings: Finding[] = [
    {
      check: 'config',
      status: 'OK',
      text: `${options.config ?? 'maildir arguments'}: valid and safe, ${config.targets.length} target${config.targets.length === 1 ? '' : 's'}`,
    },
  ];
  for (const [index, target] of config.targets.entries()) {
    const limits = target.check ?? config.settings.check;
    findings.push(...evaluateMaildir(target.name, facts[index] as MaildirFacts, limits, deps.now()));
  }
  if (layout === undefined) {
    findings.push(
      config.settings.journal.enabled
        ? {
            check: 'journal',
            status: 'WARNING',
            text: 'no folder for the journal: set $HOME, journal.dir or --state-dir; deliveries defer',
          }
        : {
            check: 'journal',
            status: 'OK',
            text: 'turned off: a retry after a failed publish may duplicate',
          },
    );
  } else if ('error' in journal) {
    findings.push({
      check: 'journal',
      status: 'UNKNOWN',
      text: ioFailure(`cannot read ${layout.root}`, journal.error).text,
    });
  } else if (journal.facts !== undefined) {
    findings.push(...evaluateJournal(journal.facts, config.settings.check.journalSize));
  }
  return { config: about, findings, repairs };
}

function withoutOwned(facts: MaildirFacts, owned: ReadonlySet<string>): MaildirFacts {
  if (facts.kind !== 'ready' || isFailure(facts.tmp) || owned.size === 0) return facts;
  return { ...facts, tmp: { ...facts.tmp, older: facts.tmp.older.filter(([path]) => !owned.has(path)) } };
}

function gatherMaildirs(config: Config, deps: FactDeps): Promise<MaildirFacts[]> {
  return Promise.all(
    config.targets.map((target) =>
      maildirFacts(target, (target.check ?? config.settings.check).tmpAge, deps),
    ),
  );
}
