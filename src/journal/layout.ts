// The journal's folders. One journal per host (DESIGN.md, "Beyond one machine"): each host's
// MTA retries only its own queue, so hosts sharing a state folder over NFS never need to see
// each other's records, and a pid in a record always means a process on this host.
//   <state>/journal/<host>/pending/<digest>.json  intent: copies synced in tmp/, being published
//   <state>/journal/<host>/done/<digest>.json     completed: which maildirs hold the message
//   <state>/journal/<host>/locks/<digest>.lock/   the per-message lock (a proper-lockfile lock)
//   <state>/journal/<host>/corrupt/               unreadable records, moved aside for the operator
import { join } from 'node:path';
import { escapeHost } from '../maildir/unique-name';

export interface JournalLayout {
  readonly root: string;
  readonly pending: string;
  readonly done: string;
  readonly locks: string;
  readonly corrupt: string;
}

export function journalLayout(stateDir: string, host: string): JournalLayout {
  const root = join(stateDir, 'journal', escapeHost(host));
  return {
    root,
    pending: join(root, 'pending'),
    done: join(root, 'done'),
    locks: join(root, 'locks'),
    corrupt: join(root, 'corrupt'),
  };
}

/** File name of the record for a message: its digest, so that a lookup is one open(). */
export const recordName = (digest: string): string => `${digest}.json`;

/** A record name back to its digest; undefined for anything else (temporary files of write-record.ts). */
export function digestOfRecordName(name: string): string | undefined {
  const match = /^([0-9a-f]{64})\.json$/.exec(name);
  return match?.[1];
}
