// A small getopt_long for an option table: tokens → values, and the --help text from the same
// table. Pure: no process access. It replaces commander, whose 110 KiB cost about 15 ms of every
// delivery's start-up to compile and set up (docs/performance.md, "Where the time goes"); an MDA
// starts once per message, and this is the whole command-line grammar it needs:
//   --long, --long VALUE, --long=VALUE, -s, -s VALUE, -sVALUE, clusters (-nc FILE),
//   operands anywhere, and "--" to end the options (getopt_long(3), POSIX Utility Syntax 12.2).

/** One option. `value` names its argument ("<file>"); without it the option is a flag. */
export interface OptionSpec {
  /** Property of the result that receives the value (a flag sets `true`). */
  readonly key: string;
  readonly long: string;
  readonly short?: string;
  readonly value?: string;
  readonly description: string;
  /** Allowed values, listed in the help and checked before `parse`. */
  readonly choices?: readonly string[];
  /** Shown in the help; applied by the caller. */
  readonly shownDefault?: string;
  /** Checks and converts an argument; a string is the problem with it. */
  readonly parse?: (value: string) => { readonly value: unknown } | string;
}

export type Parsed =
  | { readonly kind: 'ok'; readonly values: Readonly<Record<string, unknown>>; readonly operands: string[] }
  | { readonly kind: 'error'; readonly text: string };

/** Parses `args` against `specs`. Later occurrences of an option win, as with getopt. */
export function parseOptions(args: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const values: Record<string, unknown> = {};
  const operands: string[] = [];
  let skipNext = false;
  for (const [i, arg] of args.entries()) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    const taken = arg.startsWith('--')
      ? longOption(arg, args[i + 1], specs)
      : shortCluster(arg, args[i + 1], specs);
    if ('text' in taken) return { kind: 'error', text: taken.text };
    for (const [key, value] of taken.set) values[key] = value;
    skipNext = taken.usedNext;
  }
  return { kind: 'ok', values, operands };
}

type Taken =
  | { readonly set: readonly (readonly [string, unknown])[]; readonly usedNext: boolean }
  | { readonly text: string };

function longOption(arg: string, next: string | undefined, specs: readonly OptionSpec[]): Taken {
  const equals = arg.indexOf('=');
  const name = equals === -1 ? arg : arg.slice(0, equals);
  const spec = specs.find((s) => s.long === name);
  if (spec === undefined) return { text: `unknown option '${name}'` };
  if (spec.value === undefined) {
    if (equals !== -1) return { text: `option '${name}' does not take an argument` };
    return { set: [[spec.key, true]], usedNext: false };
  }
  if (equals !== -1) return withValue(spec, arg.slice(equals + 1), false);
  if (next === undefined) return { text: `option '${term(spec)}' argument missing` };
  return withValue(spec, next, true);
}

/** "-n", "-c FILE", "-cFILE", "-nc FILE": flags, then at most one option that takes the rest. */
function shortCluster(arg: string, next: string | undefined, specs: readonly OptionSpec[]): Taken {
  const set: (readonly [string, unknown])[] = [];
  for (let at = 1; at < arg.length; at++) {
    const letter = `-${arg.charAt(at)}`;
    const spec = specs.find((s) => s.short === letter);
    if (spec === undefined) return { text: `unknown option '${letter}'` };
    if (spec.value === undefined) {
      set.push([spec.key, true]);
      continue;
    }
    const rest = arg.slice(at + 1);
    const value = rest === '' ? next : rest;
    if (value === undefined) return { text: `option '${term(spec)}' argument missing` };
    const taken = withValue(spec, value, rest === '');
    return 'text' in taken ? taken : { set: [...set, ...taken.set], usedNext: taken.usedNext };
  }
  return { set, usedNext: false };
}

function withValue(spec: OptionSpec, value: string, usedNext: boolean): Taken {
  const invalid = (problem: string): Taken => ({
    text: `option '${term(spec)}' argument '${value}' is invalid. ${problem}`,
  });
  if (spec.choices !== undefined && !spec.choices.includes(value)) {
    return invalid(`Allowed choices are ${spec.choices.join(', ')}.`);
  }
  if (spec.parse === undefined) return { set: [[spec.key, value]], usedNext };
  const parsed = spec.parse(value);
  return typeof parsed === 'string' ? invalid(parsed) : { set: [[spec.key, parsed.value]], usedNext };
}

/** "-c, --config <file>", as the help and the error messages write an option. */
function term(spec: OptionSpec): string {
  const names = spec.short === undefined ? spec.long : `${spec.short}, ${spec.long}`;
  return spec.value === undefined ? names : `${names} ${spec.value}`;
}

/** What --help prints: usage, description, then aligned sections of terms and wrapped text. */
export interface HelpPage {
  readonly usage: string;
  readonly description: string;
  readonly operand: { readonly name: string; readonly description: string };
  readonly options: readonly OptionSpec[];
  readonly commands?: readonly { readonly term: string; readonly description: string }[];
  readonly epilogue?: string;
}

const WIDTH = 80;

export function helpText(page: HelpPage): string {
  const optionRows = page.options.map((spec) => [term(spec), describe(spec)] as const);
  const commandRows = (page.commands ?? []).map((c) => [c.term, c.description] as const);
  const rows = [[page.operand.name, page.operand.description] as const, ...optionRows, ...commandRows];
  const column = Math.max(...rows.map(([t]) => t.length)) + 2;
  const section = (title: string, items: readonly (readonly [string, string])[]): string =>
    `${title}:\n${items.map(([t, text]) => `  ${t.padEnd(column)}${wrap(text, WIDTH - column - 2, column + 2)}`).join('\n')}\n`;
  return [
    `Usage: ${page.usage}\n`,
    `${wrap(page.description, WIDTH, 0)}\n`,
    section('Arguments', [[page.operand.name, page.operand.description]]),
    section('Options', optionRows),
    ...(commandRows.length > 0 ? [section('Commands', commandRows)] : []),
  ]
    .join('\n')
    .concat(page.epilogue === undefined ? '' : `\n${page.epilogue}\n`);
}

function describe(spec: OptionSpec): string {
  const notes = [
    ...(spec.choices === undefined ? [] : [`choices: ${spec.choices.map((c) => `"${c}"`).join(', ')}`]),
    ...(spec.shownDefault === undefined ? [] : [`default: "${spec.shownDefault}"`]),
  ];
  return notes.length === 0 ? spec.description : `${spec.description} (${notes.join(', ')})`;
}

/** Wraps `text` at spaces to lines of at most `width`, indenting every line after the first. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}
