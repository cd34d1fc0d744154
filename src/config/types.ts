// The validated configuration that delivery works from, whatever its source (file or arguments).
import type { TraceHeaderMode } from '../mta/trace-headers';
import type { Rule, UnmatchedPolicy } from '../route/rule';
import { DEFAULT_THRESHOLDS, type TargetThresholds, type Thresholds } from '../check/thresholds';

export interface Target {
  /** Unique short name, for diagnostics and logs. */
  readonly name: string;
  /** Absolute path of the maildir. */
  readonly path: string;
  /** Exact permission bits of delivered files. */
  readonly mode: number;
  /** Create the maildir if it is missing. */
  readonly create: boolean;
  /** Which messages it gets (README, "Routing"); undefined: every message. */
  readonly match?: Rule | undefined;
  /** Self-check thresholds, when this target has its own; else the settings' `check`. */
  readonly check?: TargetThresholds | undefined;
}

export interface Settings {
  /** Largest accepted message in bytes (after the From_ line is removed). */
  readonly sizeLimit: number;
  /** Seconds before a delivery gives up with a temporary failure. */
  readonly timeoutSeconds: number;
  /** Hard-link one written file into other targets on the same file system. */
  readonly hardLinks: boolean;
  readonly journal: JournalSettings;
  readonly traceHeaders: TraceHeaderMode;
  /** Never print diagnostics (Exim's return_output); the log still gets them. */
  readonly quiet: boolean;
  /** Absolute path of the delivery log, 'syslog', or undefined for none. */
  readonly log: string | undefined;
  /** What happens to a message that no target's `match` rule accepts. */
  readonly unmatched: UnmatchedPolicy;
  /** Self-check thresholds (src/check/thresholds.ts). */
  readonly check: Thresholds;
}

export interface JournalSettings {
  readonly enabled: boolean;
  /** Absolute state folder, or undefined for the XDG default (resolved from the environment). */
  readonly dir: string | undefined;
  /** Days a completed delivery is remembered for retry dedupe. */
  readonly keepDays: number;
}

export interface Config {
  readonly targets: readonly Target[];
  readonly settings: Settings;
}

/** Mode of delivered files unless a target says otherwise (DESIGN.md, Security). */
export const DEFAULT_MODE = 0o600;

export const DEFAULT_SETTINGS: Settings = {
  // 512 MiB: far above the MTAs' own defaults (Postfix message_size_limit 10 MB, Exim 50 MB), so
  // the MTA's limit bites first; ours guards the disk against a runaway local pipe.
  sizeLimit: 512 * 1024 * 1024,
  // 900 s: below Postfix's command_time_limit (1000 s), past which Postfix bounces instead of
  // deferring; far below Exim's 1 h pipe timeout (anchors-mda.md §4.1).
  timeoutSeconds: 900,
  hardLinks: true,
  // 8 days: longer than any MTA keeps retrying (Postfix maximal_queue_lifetime 5 d, qmail
  // queuelifetime 7 d), so every retry of a message still finds its record.
  journal: { enabled: true, dir: undefined, keepDays: 8 },
  traceHeaders: 'auto',
  quiet: false,
  log: undefined,
  // Bounce, so that the sender hears of it: nothing is lost silently. It only applies when every
  // target has a rule.
  unmatched: { kind: 'reject' },
  check: DEFAULT_THRESHOLDS,
};
