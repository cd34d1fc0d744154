// What happens when a signal (SIGTERM, SIGINT, SIGHUP) or the internal deadline interrupts a
// delivery (DESIGN.md guarantee 6). Outside the commit phase: remove this run's tmp files and
// exit temporary at once. During the commit phase (a few link()s and fsyncs) the interruption
// waits, as maildrop blocks signals around its link: stopping half-way would leave some targets
// published and others not. If commit is stuck longer than the grace period (a hung NFS server),
// we exit anyway rather than be killed by the MTA's own time limit.
import type { Failure } from '../outcome/outcome';

/** Grace for a commit in progress. 900 s deadline + 30 s stays below Postfix's 1000 s. */
export const COMMIT_GRACE_MS = 30_000;

export interface GuardHooks {
  /** Synchronously removes every unpublished tmp file of this run. */
  removeTmpFiles(): void;
  /** Reports the failure and ends the process. */
  exit(failure: Failure): void;
  setTimer(ms: number, callback: () => void): { cancel(): void };
}

export interface Guard {
  readonly committing: { enter(): void; leave(): void };
  interrupt(failure: Failure): void;
}

export function interruptGuard(hooks: GuardHooks, graceMs = COMMIT_GRACE_MS): Guard {
  let committing = false;
  let grace: { cancel(): void } | undefined;
  const stop = (failure: Failure): void => {
    hooks.removeTmpFiles();
    hooks.exit(failure);
  };
  return {
    committing: {
      enter: () => void (committing = true),
      leave: () => {
        committing = false;
        grace?.cancel();
        grace = undefined;
      },
    },
    interrupt(failure) {
      if (!committing) return stop(failure);
      grace ??= hooks.setTimer(graceMs, () =>
        stop({
          ...failure,
          text: `${failure.text}, while publishing: some targets may already hold the message`,
        }),
      );
    },
  };
}
