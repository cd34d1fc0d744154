// The option grammar (getopt_long style) and the help layout, on a small table of its own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpText, parseOptions, type OptionSpec } from '../../../src/cli/options';

const SPECS: readonly OptionSpec[] = [
  { key: 'config', long: '--config', short: '-c', value: '<file>', description: 'a file' },
  { key: 'dryRun', long: '--dry-run', short: '-n', description: 'a flag' },
  { key: 'quiet', long: '--quiet', short: '-q', description: 'another flag' },
  { key: 'color', long: '--color', value: '<c>', description: 'a choice', choices: ['red', 'blue'] },
  {
    key: 'count',
    long: '--count',
    value: '<n>',
    description: 'a number',
    parse: (v) => (/^[0-9]+$/.test(v) ? { value: Number(v) } : 'expected digits'),
  },
];

describe('parseOptions: accepted forms', () => {
  // prettier-ignore
  const table: [string[], Record<string, unknown>, string[]][] = [
    [[], {}, []],
    [['a', 'b'], {}, ['a', 'b']],
    [['--config', 'f'], { config: 'f' }, []],
    [['--config=f'], { config: 'f' }, []],
    [['--config='], { config: '' }, []],
    [['--config=a=b'], { config: 'a=b' }, []],
    [['-c', 'f'], { config: 'f' }, []],
    [['-cf'], { config: 'f' }, []],
    [['-nc', 'f'], { dryRun: true, config: 'f' }, []],
    [['-ncf', 'x'], { dryRun: true, config: 'f' }, ['x']],
    [['-nq'], { dryRun: true, quiet: true }, []],
    [['--config', '-n'], { config: '-n' }, []], // a required argument is taken as it is, like getopt
    [['a', '--dry-run', 'b'], { dryRun: true }, ['a', 'b']],
    [['--config', 'f', '--config', 'g'], { config: 'g' }, []],
    [['--', '--config', '-n'], {}, ['--config', '-n']],
    [['-'], {}, ['-']],
    [['--color', 'red'], { color: 'red' }, []],
    [['--count', '12'], { count: 12 }, []],
  ];
  for (const [args, values, operands] of table) {
    it(args.join(' ') || '(nothing)', () =>
      assert.deepEqual(parseOptions(args, SPECS), { kind: 'ok', values, operands }),
    );
  }
});

describe('parseOptions: errors, as one line naming the option', () => {
  // prettier-ignore
  const table: [string[], string][] = [
    [['--bogus'], "unknown option '--bogus'"],
    [['--bogus=1'], "unknown option '--bogus'"],
    [['-x'], "unknown option '-x'"],
    [['-nx'], "unknown option '-x'"],
    [['--config'], "option '-c, --config <file>' argument missing"],
    [['-c'], "option '-c, --config <file>' argument missing"],
    [['-nc'], "option '-c, --config <file>' argument missing"],
    [['--dry-run=yes'], "option '--dry-run' does not take an argument"],
    [['--color', 'green'], "option '--color <c>' argument 'green' is invalid. Allowed choices are red, blue."],
    [['--color='], "option '--color <c>' argument '' is invalid. Allowed choices are red, blue."],
    [['--count', 'x'], "option '--count <n>' argument 'x' is invalid. expected digits"],
    [['--Config', 'f'], "unknown option '--Config'"],
  ];
  for (const [args, text] of table) {
    it(`${args.join(' ')} → ${text}`, () =>
      assert.deepEqual(parseOptions(args, SPECS), { kind: 'error', text }));
  }
});

describe('helpText', () => {
  const text = helpText({
    usage: 'tool [options] [x...]',
    description: 'Does one thing. '.repeat(8).trim(),
    operand: { name: 'x', description: 'the things' },
    options: SPECS,
    commands: [{ term: 'sub [options]', description: 'a subcommand' }],
    epilogue: 'See tool(1).',
  });

  it('lists every option with its short name and argument, aligned in one column', () => {
    const lines = text.split('\n');
    const options = lines.slice(lines.indexOf('Options:') + 1, lines.indexOf('', lines.indexOf('Options:')));
    assert.deepEqual(
      options.map((line) => /^ {2}(\S.*?) {2,}/.exec(line)?.[1]),
      ['-c, --config <file>', '-n, --dry-run', '-q, --quiet', '--color <c>', '--count <n>'],
    );
    const column = new Set(options.map((line) => line.search(/(?<= {2})[a-z]/)));
    assert.equal(column.size, 1, text);
  });

  it('shows choices, wraps at 80 columns and ends with the epilogue', () => {
    assert.match(text, /--color <c> +a choice \(choices: "red", "blue"\)/);
    for (const line of text.split('\n')) assert.ok(line.length <= 80, line);
    assert.match(text, /^Usage: tool \[options\] \[x\.\.\.\]\n\nDoes one thing\./);
    assert.match(text, /\nCommands:\n {2}sub \[options\] +a subcommand\n/);
    assert.ok(text.endsWith('\nSee tool(1).\n'));
  });
});
