// Command line → Invocation. Pure apart from commander itself: no process access, no I/O.
// Commander's own exits are overridden: a usage error in a .forward line must defer the mail
// (75), never bounce it (commander would exit 1, which Postfix and Exim treat as permanent).
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { version } from '../../package.json';
import { parseMode } from '../config/mode';
import { parseSize } from '../config/size';
import type { TraceHeaderMode } from '../mta/trace-headers';
import type { ExitDialect } from '../outcome/exit-status';
import type { CheckOptions } from './check';

export interface DeliverOptions {
  readonly config?: string;
  readonly maildirs: readonly string[];
  readonly dryRun: boolean;
  readonly allowRoot: boolean;
  readonly copy: boolean;
  readonly create: boolean;
  readonly mode?: number;
  readonly sizeLimit?: number;
  readonly timeout?: number;
  readonly stateDir?: string;
  readonly journal: boolean;
  readonly traceHeaders?: TraceHeaderMode;
  readonly quiet: boolean;
  readonly log?: string;
  readonly exitCodes: ExitDialect;
}

export type Invocation =
  | { readonly kind: 'deliver'; readonly options: DeliverOptions }
  | { readonly kind: 'check'; readonly options: CheckOptions }
  | { readonly kind: 'print'; readonly text: string } // --help, --version
  /** `check`: the usage error of the self-check, which exits 3 (UNKNOWN), not 75. */
  | { readonly kind: 'usage-error'; readonly text: string; readonly check: boolean };

export function parseCommandLine(args: readonly string[]): Invocation {
  let output = '';
  let result: Invocation | undefined;
  const program = new Command('maildir-fanout')
    .description(
      'Deliver one message from standard input into every target maildir: all or nothing, ' +
        'durably, with exit codes every MTA understands (75 = try again later).',
    )
    .argument('[maildir...]', 'target maildirs, instead of --config')
    .option('-c, --config <file>', 'read targets and settings from this JSON file')
    .option('-n, --dry-run', 'show what would be delivered where, and write nothing')
    .option('--copy', 'write a separate copy into every target (no hard links)')
    .option('--create', 'create missing maildirs given as arguments (mode 0700)')
    .option(
      '--mode <octal>',
      'mode of delivered files for maildirs given as arguments (default 0600)',
      parseModeArg,
    )
    .option(
      '--size-limit <size>',
      'largest message accepted: bytes, or with K, M, G (default 512M)',
      parseSizeArg,
    )
    .option(
      '--timeout <seconds>',
      'give up after this many seconds: temporary failure (default 900)',
      parseSeconds,
    )
    .option(
      '--state-dir <dir>',
      'folder of the exactly-once journal (default ~/.local/state/maildir-fanout)',
      parsePath,
    )
    .option('--no-journal', 'no exactly-once journal: a retry after a failed publish may duplicate')
    .addOption(
      new Option(
        '--trace-headers <mode>',
        'prepend Return-Path and Delivered-To: auto (under qmail only), always, or none',
      ).choices(['auto', 'always', 'none']),
    )
    .option('--quiet', 'never print a diagnostic (for Exim); use with --log')
    .option('--log <file>', 'append one line per delivery to this file, or "syslog"', parsePath)
    .addOption(
      new Option('--exit-codes <dialect>', 'sysexits (75 temporary, 65 permanent) or qmail (111, 100)')
        .choices(['sysexits', 'qmail'])
        .default('sysexits'),
    )
    .option('--allow-root', 'allow running as root (delivered files would belong to root)')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .addHelpText(
      'after',
      '\nExit status: 0 delivered; 75 temporary failure (the MTA retries); 65 permanent (bounce).\n' +
        'Examples:\n  maildir-fanout --config ~/targets.json < message.eml\n' +
        '  maildir-fanout --dry-run ~/Maildir-a ~/Maildir-b < message.eml\n' +
        'See maildir-fanout(1).',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void (output += text),
      writeErr: (text) => void (output += text),
      outputError: () => undefined, // reported by us, as one line, with a status code
    })
    .action((maildirs: string[], opts: Record<string, unknown>) => {
      result = { kind: 'deliver', options: toOptions(maildirs, opts) };
    });
  // Options after "check" are its own, even those the delivery also has (--allow-root).
  program.enablePositionalOptions();
  // Created after exitOverride/configureOutput, so that it inherits both.
  program
    .command('check')
    .description(
      'Self-check for cron or monitoring: silent and exit 0 when every target can take mail and ' +
        'is being read; otherwise a report and exit 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN).',
    )
    .argument('[maildir...]', 'target maildirs, instead of --config')
    .option('-c, --config <file>', 'the targets.json that deliveries use')
    .option('--state-dir <dir>', 'folder of the exactly-once journal, as for delivery', parsePath)
    .addOption(
      new Option('--format <format>', 'text (silent when healthy), nagios or json')
        .choices(['text', 'nagios', 'json'])
        .default('text'),
    )
    .option('-v, --verbose', 'show every check, also those that pass')
    .option('--repair', 'finish interrupted deliveries and remove stale files from tmp/')
    .option('--allow-root', 'allow running as root')
    .helpOption('-h, --help', 'print this help')
    .action((maildirs: string[], opts: Record<string, unknown>) => {
      result = {
        kind: 'check',
        options: {
          ...(typeof opts.config === 'string' ? { config: opts.config } : {}),
          ...(typeof opts.stateDir === 'string' ? { stateDir: opts.stateDir } : {}),
          maildirs,
          allowRoot: opts.allowRoot === true,
          format: opts.format === 'nagios' || opts.format === 'json' ? opts.format : 'text',
          verbose: opts.verbose === true,
          repair: opts.repair === true,
        },
      };
    });
  try {
    program.parse([...args], { from: 'user' });
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        return { kind: 'print', text: output };
      }
      return { kind: 'usage-error', text: error.message.replace(/^error: /, ''), check: args[0] === 'check' };
    }
    throw error;
  }
  return result ?? { kind: 'usage-error', text: 'nothing to do', check: false };
}

function toOptions(maildirs: string[], o: Record<string, unknown>): DeliverOptions {
  return {
    ...(typeof o.config === 'string' ? { config: o.config } : {}),
    maildirs,
    dryRun: o.dryRun === true,
    allowRoot: o.allowRoot === true,
    copy: o.copy === true,
    create: o.create === true,
    ...(typeof o.mode === 'number' ? { mode: o.mode } : {}),
    ...(typeof o.sizeLimit === 'number' ? { sizeLimit: o.sizeLimit } : {}),
    ...(typeof o.timeout === 'number' ? { timeout: o.timeout } : {}),
    ...(typeof o.stateDir === 'string' ? { stateDir: o.stateDir } : {}),
    journal: o.journal !== false,
    ...(typeof o.traceHeaders === 'string' ? { traceHeaders: o.traceHeaders as TraceHeaderMode } : {}),
    quiet: o.quiet === true,
    ...(typeof o.log === 'string' ? { log: o.log } : {}),
    exitCodes: o.exitCodes === 'qmail' ? 'qmail' : 'sysexits',
  };
}

function parseModeArg(value: string): number {
  const parsed = parseMode(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.problem);
  return parsed.mode;
}

/** A non-empty path (an empty one would silently mean the working directory). */
function parsePath(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a path');
  return value;
}

function parseSizeArg(value: string): number {
  const bytes = parseSize(value);
  if (bytes === undefined)
    throw new InvalidArgumentError('expected bytes, or a number with K, M or G, e.g. 50M');
  return bytes;
}

function parseSeconds(value: string): number {
  if (!/^[1-9][0-9]{0,4}$/.test(value) || Number(value) > 86400) {
    throw new InvalidArgumentError('expected whole seconds from 1 to 86400');
  }
  return Number(value);
}
