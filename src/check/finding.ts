// One result of the self-check: what was looked at, where, what was measured against which
// threshold, and how bad it is. Statuses are monitoring-plugins' (Nagios) four. Pure.

export type Status = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** Plugin exit codes (monitoring-plugins guidelines): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
export const STATUS_EXIT: Readonly<Record<Status, number>> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** Worse first when sorting: CRITICAL > WARNING > UNKNOWN > OK, as check_multi ranks them. */
const RANK: Readonly<Record<Status, number>> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

export interface PerfValue {
  /** Label without the target: "free_space", "new_age"… */
  readonly label: string;
  readonly value: number;
  /** monitoring-plugins units: "" (a count), "s", "B", "%". */
  readonly unit: '' | 's' | 'B' | '%';
  readonly warning?: number | undefined;
  readonly critical?: number | undefined;
  /** The value is bad when it falls below the thresholds (free space), not above them. */
  readonly low?: boolean;
}

export interface Finding {
  /** The target's name; undefined for the config and the journal. */
  readonly target?: string | undefined;
  /** Which check: "config", "maildir", "probe", "free-space", "free-inodes", "stale-tmp",
   *  "backlog", "cur", "journal". */
  readonly check: string;
  readonly status: Status;
  /** One line: the measured value, and the threshold when one was crossed. */
  readonly text: string;
  readonly perf?: readonly PerfValue[];
}

export function worst(findings: readonly { status: Status }[]): Status {
  let status: Status = 'OK';
  for (const finding of findings) if (RANK[finding.status] > RANK[status]) status = finding.status;
  return status;
}
