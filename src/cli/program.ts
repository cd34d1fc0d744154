// Command line → Invocation. Pure: no process access, no I/O, never exits. A usage error is a
// value, because a usage error in a .forward line must defer the mail (75), never bounce it
// (an argument parser's usual exit 1 is permanent for Postfix and Exim).
import { helpText, parseOptions, type HelpPage, type OptionSpec } from './options';
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

const DELIVER_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'config',
    long: '--config',
    short: '-c',
    value: '<file>',
    description: 'read targets and settings from this JSON file',
  },
  {
    key: 'dryRun',
    long: '--dry-run',
    short: '-n',
    description: 'show what would be delivered where, and write nothing',
  },
  { key: 'copy', long: '--copy', description: 'write a separate copy into every target (no hard links)' },
  { key: 'create', long: '--create', description: 'create missing maildirs given as arguments (mode 0700)' },
  {
    key: 'mode',
    long: '--mode',
    value: '<octal>',
    description: 'mode of delivered files for maildirs given as arguments (default 0600)',
    parse: parseModeArg,
  },
  {
    key: 'sizeLimit',
    long: '--size-limit',
    value: '<size>',
    description: 'largest message accepted: bytes, or with K, M, G (default 512M)',
    parse: parseSizeArg,
  },
  {
    key: 'timeout',
    long: '--timeout',
    value: '<seconds>',
    description: 'give up after this many seconds: temporary failure (default 900)',
    parse: parseSeconds,
  },
  {
    key: 'stateDir',
    long: '--state-dir',
    value: '<dir>',
    description: 'folder of the exactly-once journal (default ~/.local/state/maildir-fanout)',
    parse: parsePath,
  },
  {
    key: 'noJournal',
    long: '--no-journal',
    description: 'no exactly-once journal: a retry after a failed publish may duplicate',
  },
  {
    key: 'traceHeaders',
    long: '--trace-headers',
    value: '<mode>',
    description: 'prepend Return-Path and Delivered-To: auto (under qmail only), always, or none',
    choices: ['auto', 'always', 'none'],
  },
  { key: 'quiet', long: '--quiet', description: 'never print a diagnostic (for Exim); use with --log' },
  {
    key: 'log',
    long: '--log',
    value: '<file>',
    description: 'append one line per delivery to this file, or "syslog"',
    parse: parsePath,
  },
  {
    key: 'exitCodes',
    long: '--exit-codes',
    value: '<dialect>',
    description: 'sysexits (75 temporary, 65 permanent) or qmail (111, 100)',
    choices: ['sysexits', 'qmail'],
    shownDefault: 'sysexits',
  },
  {
    key: 'allowRoot',
    long: '--allow-root',
    description: 'allow running as root (delivered files would belong to root)',
  },
  { key: 'version', long: '--version', short: '-V', description: 'print the version' },
  { key: 'help', long: '--help', short: '-h', description: 'print this help' },
];

const CHECK_DESCRIPTION =
  'Self-check for cron or monitoring: silent and exit 0 when every target can take mail and ' +
  'is being read; otherwise a report and exit 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN).';

const CHECK_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'config',
    long: '--config',
    short: '-c',
    value: '<file>',
    description: 'the targets.json that deliveries use',
  },
  {
    key: 'stateDir',
    long: '--state-dir',
    value: '<dir>',
    description: 'folder of the exactly-once journal, as for delivery',
    parse: parsePath,
  },
  {
    key: 'format',
    long: '--format',
    value: '<format>',
    description: 'text (silent when healthy), nagios or json',
    choices: ['text', 'nagios', 'json'],
    shownDefault: 'text',
  },
  { key: 'verbose', long: '--verbose', short: '-v', description: 'show every check, also those that pass' },
  {
    key: 'repair',
    long: '--repair',
    description: 'finish interrupted deliveries and remove stale files from tmp/',
  },
  { key: 'allowRoot', long: '--allow-root', description: 'allow running as root' },
  { key: 'help', long: '--help', short: '-h', description: 'print this help' },
];

const DELIVER_HELP: HelpPage = {
  usage: 'maildir-fanout [options] [maildir...]\n       maildir-fanout check [options] [maildir...]',
  description:
    'Deliver one message from standard input into every target maildir: all or nothing, ' +
    'durably, with exit codes every MTA understands (75 = try again later).',
  operand: { name: 'maildir', description: 'target maildirs, instead of --config' },
  options: DELIVER_OPTIONS,
  commands: [{ term: 'check [options] [maildir...]', description: CHECK_DESCRIPTION }],
  epilogue:
    'Exit status: 0 delivered; 75 temporary failure (the MTA retries); 65 permanent (bounce).\n' +
    'Examples:\n  maildir-fanout --config ~/targets.json < message.eml\n' +
    '  maildir-fanout --dry-run ~/Maildir-a ~/Maildir-b < message.eml\n' +
    'See maildir-fanout(1).',
};

const CHECK_HELP: HelpPage = {
  usage: 'maildir-fanout check [options] [maildir...]',
  description: CHECK_DESCRIPTION,
  operand: { name: 'maildir', description: 'target maildirs, instead of --config' },
  options: CHECK_OPTIONS,
};

export function parseCommandLine(args: readonly string[]): Invocation {
  // "check" is a command only as the first argument; its options are its own, even those the
  // delivery also has (--allow-root).
  if (args[0] === 'check') return parseCheck(args.slice(1));
  if (asks(args, '--help', '-h')) return { kind: 'print', text: helpText(DELIVER_HELP) };
  if (asks(args, '--version', '-V')) return { kind: 'print', text: `${version}\n` };
  const parsed = parseOptions(args, DELIVER_OPTIONS);
  if (parsed.kind === 'error') return { kind: 'usage-error', text: parsed.text, check: false };
  if (parsed.operands.includes('check')) {
    return {
      kind: 'usage-error',
      text: "'check' must come first: maildir-fanout check [options]",
      check: false,
    };
  }
  return { kind: 'deliver', options: toOptions(parsed.operands, parsed.values) };
}

function parseCheck(args: readonly string[]): Invocation {
  if (asks(args, '--help', '-h')) return { kind: 'print', text: helpText(CHECK_HELP) };
  const parsed = parseOptions(args, CHECK_OPTIONS);
  if (parsed.kind === 'error') return { kind: 'usage-error', text: parsed.text, check: true };
  const o = parsed.values;
  return {
    kind: 'check',
    options: {
      ...(typeof o.config === 'string' ? { config: o.config } : {}),
      ...(typeof o.stateDir === 'string' ? { stateDir: o.stateDir } : {}),
      maildirs: parsed.operands,
      allowRoot: o.allowRoot === true,
      format: o.format === 'nagios' || o.format === 'json' ? o.format : 'text',
      verbose: o.verbose === true,
      repair: o.repair === true,
    },
  };
}

/** --help and --version win over everything else before "--", as with most GNU tools. */
function asks(args: readonly string[], long: string, short: string): boolean {
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  return options.some((arg) => arg === long || arg === short);
}

function toOptions(maildirs: string[], o: Readonly<Record<string, unknown>>): DeliverOptions {
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
    journal: o.noJournal !== true,
    ...(typeof o.traceHeaders === 'string' ? { traceHeaders: o.traceHeaders as TraceHeaderMode } : {}),
    quiet: o.quiet === true,
    ...(typeof o.log === 'string' ? { log: o.log } : {}),
    exitCodes: o.exitCodes === 'qmail' ? 'qmail' : 'sysexits',
  };
}

function parseModeArg(value: string): { value: number } | string {
  const parsed = parseMode(value);
  return parsed.ok ? { value: parsed.mode } : parsed.problem;
}

/** A non-empty path (an empty one would silently mean the working directory). */
function parsePath(value: string): { value: string } | string {
  return value === '' ? 'expected a path' : { value };
}

function parseSizeArg(value: string): { value: number } | string {
  const bytes = parseSize(value);
  return bytes === undefined ? 'expected bytes, or a number with K, M or G, e.g. 50M' : { value: bytes };
}

function parseSeconds(value: string): { value: number } | string {
  // 86400: a day, far past any MTA's own limit (Postfix command_time_limit is 1000 s).
  if (!/^[1-9][0-9]{0,4}$/.test(value) || Number(value) > 86400) {
    return 'expected whole seconds from 1 to 86400';
  }
  return { value: Number(value) };
}
