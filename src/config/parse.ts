// targets.json text → Config, or the first problem with its JSON path. Pure: no I/O.
import { dirname } from 'node:path';
import schema from '../../schema/targets.schema.json';
import type { TraceHeaderMode } from '../mta/trace-headers';
import { compileRule } from '../route/compile';
import type { Rule, UnmatchedPolicy } from '../route/rule';
import { applyThresholds, type RawThresholds, type TargetThresholds } from '../check/thresholds';
import { formatPath, validate } from './json-schema';
import { parseMode } from './mode';
import { resolveConfigPath } from './paths';
import { parseSize } from './size';
import { DEFAULT_MODE, DEFAULT_SETTINGS, type Config, type Target } from './types';

export type Parsed =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly problem: string };

interface RawTarget {
  name: string;
  path: string;
  mode?: string;
  create?: boolean;
  match?: unknown;
  check?: RawThresholds;
}
interface RawConfig {
  targets: RawTarget[];
  sizeLimit?: number | string;
  timeout?: number;
  hardLinks?: boolean;
  journal?: { enabled?: boolean; dir?: string; keepDays?: number };
  traceHeaders?: TraceHeaderMode;
  quiet?: boolean;
  log?: string;
  unmatched?: 'reject' | 'defer' | 'discard' | { deliverTo: string[] };
  check?: RawThresholds;
}

export function parseConfig(text: string, configPath: string, home: string | undefined): Parsed {
  const problem = (message: string): Parsed => ({ ok: false, problem: message });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    return problem(`not valid JSON: ${jsonErrorText(error, text)}`);
  }
  const errors = validate(schema, value);
  const first = errors[0];
  if (first !== undefined) {
    const more =
      errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    return problem(`${first.path === '' ? 'top level' : first.path}: ${first.message}${more}`);
  }
  const raw = value as RawConfig;
  const check = applyThresholds(DEFAULT_SETTINGS.check, raw.check, 'check');
  if (!check.ok) return problem(check.problem);
  const targets: Target[] = [];
  const byName = new Map<string, number>();
  const byPath = new Map<string, number>();
  for (const [index, entry] of raw.targets.entries()) {
    const at = (key: string): string => formatPath(['targets', index, key]);
    const earlier = byName.get(entry.name);
    if (earlier !== undefined)
      return problem(`${at('name')}: "${entry.name}" is already the name of targets[${earlier}]`);
    byName.set(entry.name, index);
    const resolved = resolveConfigPath(entry.path, dirname(configPath), home);
    if (!resolved.ok) return problem(`${at('path')}: ${resolved.problem}`);
    const samePath = byPath.get(resolved.path);
    if (samePath !== undefined) return problem(`${at('path')}: same maildir as targets[${samePath}]`);
    byPath.set(resolved.path, index);
    const mode = entry.mode === undefined ? { ok: true as const, mode: DEFAULT_MODE } : parseMode(entry.mode);
    if (!mode.ok) return problem(`${at('mode')}: ${mode.problem}`);
    let match: Rule | undefined;
    if (entry.match !== undefined) {
      const compiled = compileRule(entry.match, ['targets', index, 'match']);
      if (!compiled.ok) return problem(compiled.problem);
      match = compiled.rule;
    }
    let own: TargetThresholds | undefined;
    if (entry.check !== undefined) {
      const applied = applyThresholds<TargetThresholds>(
        check.value,
        entry.check,
        formatPath(['targets', index, 'check']),
      );
      if (!applied.ok) return problem(applied.problem);
      own = applied.value;
    }
    targets.push({
      name: entry.name,
      path: resolved.path,
      mode: mode.mode,
      create: entry.create ?? false,
      ...(match === undefined ? {} : { match }),
      ...(own === undefined ? {} : { check: own }),
    });
  }
  const unmatched = unmatchedPolicy(raw.unmatched, byName);
  if (typeof unmatched === 'string') return problem(unmatched);
  const sizeLimit = raw.sizeLimit === undefined ? DEFAULT_SETTINGS.sizeLimit : parseSize(raw.sizeLimit);
  if (sizeLimit === undefined) return problem('sizeLimit: must be a positive number of bytes below 2^53');
  let journalDir: string | undefined;
  if (raw.journal?.dir !== undefined) {
    const resolved = resolveConfigPath(raw.journal.dir, dirname(configPath), home);
    if (!resolved.ok) return problem(`journal.dir: ${resolved.problem}`);
    journalDir = resolved.path;
  }
  const journal = {
    enabled: raw.journal?.enabled ?? DEFAULT_SETTINGS.journal.enabled,
    dir: journalDir,
    keepDays: raw.journal?.keepDays ?? DEFAULT_SETTINGS.journal.keepDays,
  };
  let log: string | undefined;
  if (raw.log !== undefined && raw.log !== 'syslog') {
    const resolved = resolveConfigPath(raw.log, dirname(configPath), home);
    if (!resolved.ok) return problem(`log: ${resolved.problem}`);
    log = resolved.path;
  } else {
    log = raw.log;
  }
  return {
    ok: true,
    config: {
      targets,
      settings: {
        sizeLimit,
        timeoutSeconds: raw.timeout ?? DEFAULT_SETTINGS.timeoutSeconds,
        hardLinks: raw.hardLinks ?? DEFAULT_SETTINGS.hardLinks,
        journal,
        traceHeaders: raw.traceHeaders ?? DEFAULT_SETTINGS.traceHeaders,
        quiet: raw.quiet ?? DEFAULT_SETTINGS.quiet,
        log,
        unmatched,
        check: check.value,
      },
    },
  };
}

function unmatchedPolicy(
  raw: RawConfig['unmatched'],
  names: ReadonlyMap<string, number>,
): UnmatchedPolicy | string {
  if (raw === undefined) return DEFAULT_SETTINGS.unmatched;
  if (typeof raw === 'string') return { kind: raw };
  for (const [index, name] of raw.deliverTo.entries()) {
    if (!names.has(name)) return `unmatched.deliverTo[${index}]: no target is named "${name}"`;
  }
  return { kind: 'deliverTo', targets: raw.deliverTo };
}

/** JSON.parse's message with a line and column added where it gives a position. */
function jsonErrorText(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  if (match?.[1] === undefined) return message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
