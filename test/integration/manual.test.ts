// The manual page stays in step with the tool (STYLE.md §10: the man page is part of the
// product): every option that --help and `check --help` print and every key of the config schema
// is documented in man/maildir-fanout.1, and mandoc finds nothing wrong with its markup.
//
// Conventions of the page (stated in its header comment): each option is an item of the
// OPTIONS list, ".It Fl c , Fl -config Ar file", long options written "Fl -name", and each
// option of the `check` subcommand an item of the SELF-CHECK section; each config key is an
// item of the CONFIGURATION lists, ".It Cm sizeLimit" or ".It Cm targets[].name", and each key
// of an object-valued key (journal, check, targets[].check) an item of its nested list,
// ".It Cm keepDays" or ".It Cm freeSpace".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './harness';

const repo = resolve(__dirname, '../../..');
const manPath = join(repo, 'man/maildir-fanout.1');
const page = readFileSync(manPath, 'utf8');

/** The source lines of one mdoc section, from its `.Sh` line to the next one. */
function section(name: string): string[] {
  const lines = page.split('\n');
  const start = lines.indexOf(`.Sh ${name}`);
  assert.notEqual(start, -1, `man page has no section .Sh ${name}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('.Sh '));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The `.It` lines of a section: the heads of its list items. */
function itemHeads(name: string): string[] {
  return section(name).filter((line) => line.startsWith('.It '));
}

interface ObjectSchema {
  properties: Record<string, unknown>;
}

/** A schema of an object with named keys (not a $ref, an anyOf or a plain value). */
function isObjectSchema(value: unknown): value is ObjectSchema {
  if (typeof value !== 'object' || value === null || !('properties' in value)) return false;
  return typeof value.properties === 'object' && value.properties !== null;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether one of `heads` names `word` after `macro` as a whole argument (not a prefix of one). */
function documents(heads: readonly string[], macro: string, word: string): boolean {
  const pattern = new RegExp(`(^|\\s)${macro} ${escapeRegExp(word)}(\\s|$)`);
  return heads.some((head) => pattern.test(head));
}

/** The options a --help output lists: `short` is the letter of "-c", undefined without one. */
async function helpFlags(args: readonly string[]): Promise<{ short?: string | undefined; long: string }[]> {
  const help = await runCli(args);
  assert.equal(help.code, 0, help.stderr);
  // Commander's layout: "Options:", then one "  -c, --config <file>  text" line per option
  // (descriptions wrap onto lines indented further), up to a blank line.
  const block = help.stdout.split('\nOptions:\n')[1]?.split('\n\n')[0];
  assert.ok(block !== undefined, `no "Options:" block in ${args.join(' ')}:\n${help.stdout}`);
  return block
    .split('\n')
    .map((line) => /^ {2}(-\w, )?(--[a-z][a-z-]*)/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ short: match[1]?.slice(1, 2), long: match[2]! }));
}

/** The options of `flags` that no item head of `heads` documents, as the page should write them. */
function undocumented(
  flags: readonly { short?: string | undefined; long: string }[],
  heads: string[],
): string[] {
  return flags.flatMap(({ short, long }) => [
    ...(documents(heads, 'Fl', long.slice(1)) ? [] : [`${long} (as ".It ... Fl ${long.slice(1)}")`]),
    ...(short === undefined || documents(heads, 'Fl', short) ? [] : [`-${short} (as ".It Fl ${short}")`]),
  ]);
}

describe('man/maildir-fanout.1', () => {
  it('documents every option that --help prints, in OPTIONS', async () => {
    const flags = await helpFlags(['--help']);
    // A guard against a parser that silently finds nothing: --help has 16 options today.
    assert.ok(flags.length >= 10, `found only ${flags.length} options in --help`);
    const missing = undocumented(flags, itemHeads('OPTIONS'));
    assert.deepEqual(missing, [], 'options of --help missing from OPTIONS in man/maildir-fanout.1');
  });

  it('documents every option that check --help prints, in SELF-CHECK', async () => {
    const flags = await helpFlags(['check', '--help']);
    // The same guard: `check --help` has 7 options today.
    assert.ok(flags.length >= 6, `found only ${flags.length} options in check --help`);
    const missing = undocumented(flags, itemHeads('SELF-CHECK'));
    assert.deepEqual(missing, [], 'options of check --help missing from SELF-CHECK in man/maildir-fanout.1');
  });

  it('documents every key of schema/targets.schema.json, in CONFIGURATION', () => {
    const schema = JSON.parse(readFileSync(join(repo, 'schema/targets.schema.json'), 'utf8')) as {
      properties: { targets: { items: ObjectSchema } } & Record<string, unknown>;
    };
    const targetKeys = schema.properties.targets.items.properties;
    const keys = [
      ...Object.keys(schema.properties).filter((key) => key !== '$schema'),
      ...Object.keys(targetKeys).map((key) => `targets[].${key}`),
    ];
    assert.ok(keys.length >= 8, `found only ${keys.length} keys in the schema`);
    // The keys inside object-valued keys (journal.keepDays, check.freeSpace, targets[].check.tmpAge),
    // documented by their own name in the nested list of their parent.
    const nested = new Set(
      [...Object.values(schema.properties), ...Object.values(targetKeys)].flatMap((value) =>
        isObjectSchema(value) ? Object.keys(value.properties) : [],
      ),
    );
    // A guard: journal has 3 keys and check 7 today.
    assert.ok(nested.size >= 10, `found only ${nested.size} nested keys in the schema`);

    const heads = itemHeads('CONFIGURATION');
    const missing = [...keys, ...nested]
      .filter((key) => !documents(heads, 'Cm', key))
      .map((key) => `.It Cm ${key}`);
    assert.deepEqual(missing, [], 'config keys missing from CONFIGURATION in man/maildir-fanout.1');
  });

  it('passes mandoc -Tlint with nothing at WARNING level or above', () => {
    const lint = spawnSync('mandoc', ['-Tlint', manPath], { encoding: 'utf8' });
    // Fail, never skip, without mandoc: the page would go unchecked. CI installs it in .ci/run.
    if (lint.error !== undefined) {
      assert.fail(`cannot run mandoc (${lint.error.message}): install it with apt-get install mandoc`);
    }
    const problems = `${lint.stdout}${lint.stderr}`
      .split('\n')
      .filter((line) => line !== '')
      .filter((line) => !toleratedLintLine(line));
    assert.deepEqual(problems, [], 'mandoc -Tlint man/maildir-fanout.1');
    // mandoc -Tlint exits 0 when silent, 1 for style-level messages only, 2 and up for
    // warnings, errors, unsupported features and bad invocations.
    assert.ok(lint.status === 0 || lint.status === 1, `mandoc -Tlint exited ${lint.status}`);
  });
});

/**
 * The only messages that do not fail the test. Both come from mandoc looking up the pages that
 * `.Xr` references in the man pages installed on the machine that runs the test, so they say
 * something about that machine, not about our page:
 * - STYLE "referenced manual not found": SEE ALSO names maildir(5), qmail-command(8), local(8),
 *   procmail(1), safecat(1)…, which come with qmail, Postfix, procmail and safecat — packages a
 *   CI container does not have, and a reader's mail host does.
 * - "outdated mandoc.db lacks …(n) entry": the page is installed but the database mandoc looks
 *   in first was not rebuilt with makewhatis(8) since; it has no level at all.
 * Every other STYLE message (trailing delimiters, long lines, typos in section names) fails the
 * test as well, though it is below WARNING: the page is clean today, keep it clean.
 */
function toleratedLintLine(line: string): boolean {
  return (
    /^mandoc: [^:]+:\d+:\d+: STYLE: referenced manual not found: Xr \S+ \S+( \(\d+ times\))?$/.test(line) ||
    /^mandoc: outdated mandoc\.db lacks \S+\(\w+\) entry, run makewhatis \S+$/.test(line)
  );
}
