// The self-check's three outputs (README, "Self-check"). Pure.
//   text:   nothing at all when healthy (cron mails any output), else a short report;
//   nagios: one line in the monitoring-plugins format, "STATUS - summary | perfdata";
//   json:   everything, for scripts.
import { STATUS_EXIT, worst, type Finding, type PerfValue, type Status } from './finding';

export type ReportFormat = 'text' | 'nagios' | 'json';

export interface CheckResult {
  /** The config file, or undefined for maildir arguments. */
  readonly config: string | undefined;
  readonly findings: readonly Finding[];
  /** What --repair did, one line each. */
  readonly repairs: readonly string[];
}

export function statusOf(result: CheckResult): Status {
  return worst(result.findings);
}

export function report(result: CheckResult, format: ReportFormat, verbose: boolean): string {
  switch (format) {
    case 'text':
      return textReport(result, verbose);
    case 'nagios':
      return nagiosReport(result);
    case 'json':
      return `${JSON.stringify({ status: statusOf(result), exit: STATUS_EXIT[statusOf(result)], ...result, config: result.config ?? null }, null, 2)}\n`;
  }
}

const where = (finding: Finding): string =>
  finding.target === undefined ? finding.check : `target ${finding.target}: ${finding.check}`;

function textReport(result: CheckResult, verbose: boolean): string {
  const status = statusOf(result);
  const shown = verbose ? result.findings : result.findings.filter((f) => f.status !== 'OK');
  if (shown.length === 0 && result.repairs.length === 0) return '';
  const problems = result.findings.filter((f) => f.status !== 'OK').length;
  const about = result.config === undefined ? '' : ` (config ${result.config})`;
  const lines = [
    `maildir-fanout check: ${status}: ${problems === 0 ? 'all is well' : `${problems} problem${problems === 1 ? '' : 's'}`}${about}`,
    ...result.repairs.map((line) => `repaired: ${line}`),
    ...shown.map((f) => `${f.status} ${where(f)}: ${f.text}`),
  ];
  return `${lines.join('\n')}\n`;
}

function nagiosReport(result: CheckResult): string {
  const status = statusOf(result);
  const bad = result.findings.filter((f) => f.status !== 'OK');
  const targets = new Set(result.findings.flatMap((f) => (f.target === undefined ? [] : [f.target])));
  const summary =
    bad.length === 0
      ? `${targets.size} target${targets.size === 1 ? '' : 's'} healthy`
      : bad.map((f) => `${where(f)}: ${f.text}`).join('; ');
  const perf = result.findings.flatMap((f) => (f.perf ?? []).map((p) => perfData(f.target, p)));
  // The plugin output's first line may not hold a "|" of its own: it starts the perfdata.
  const line = `${status} - ${summary.replace(/\|/g, '/')}`;
  return `${perf.length === 0 ? line : `${line} | ${perf.join(' ')}`}\n`;
}

/** 'label'=value[UOM];[warn];[crit];[min];[max] (monitoring-plugins development guidelines). */
function perfData(target: string | undefined, p: PerfValue): string {
  const label = (target === undefined ? p.label : `${target} ${p.label}`)
    .replace(/'/g, "''")
    .replace(/=/g, '_');
  // A threshold "N:" means "alert below N" in the plugin range syntax.
  const num = (n: number | undefined): string =>
    n === undefined ? '' : `${Math.round(n)}${p.low === true ? ':' : ''}`;
  return `'${label}'=${Math.round(p.value)}${p.unit};${num(p.warning)};${num(p.critical)};0`.replace(
    /;+$/,
    '',
  );
}
