// Journal facts against the thresholds → findings. Pure.
import { formatBytes } from './evaluate';
import type { Finding } from './finding';
import type { JournalFacts } from './journal-facts';

export function evaluateJournal(facts: JournalFacts, journalSize: number | undefined): Finding[] {
  const out: Finding[] = [];
  const stuck = facts.unfinished.filter((r) => (facts.waiting.get(r.digest) ?? []).length > 0);
  const n = stuck.length;
  const unfinished = { label: 'journal_unfinished', value: n, unit: '' as const, warning: 0 };
  if (n > 0) {
    const targets = [...new Set(stuck.flatMap((r) => facts.waiting.get(r.digest) ?? []))].join(', ');
    out.push({
      check: 'journal',
      status: 'WARNING',
      text: `${n} interrupted deliver${n === 1 ? 'y has copies' : 'ies have copies'} for ${targets} waiting in tmp/, unseen by the consumers until the next delivery; --repair publishes them now`,
      perf: [unfinished],
    });
  }
  const tidy = facts.unfinished.length - n;
  if (tidy > 0) {
    // Every copy is in new/; only the record's move to done/ was lost. Harmless.
    out.push({
      check: 'journal',
      status: 'OK',
      text: `${tidy} finished deliver${tidy === 1 ? 'y is' : 'ies are'} not yet marked done (harmless; the next delivery or --repair records ${tidy === 1 ? 'it' : 'them'})`,
    });
  }
  if (facts.corrupt > 0) {
    out.push({
      check: 'journal',
      status: 'WARNING',
      text: `${facts.corrupt} unreadable record${facts.corrupt === 1 ? '' : 's'} moved aside in ${facts.root}/corrupt: a retry of ${facts.corrupt === 1 ? 'that message' : 'those messages'} may have added a duplicate; inspect, then remove them`,
    });
  }
  const size = `${formatBytes(facts.bytes)} in ${facts.done + facts.unfinished.length + facts.inProgress} records`;
  // The same perfdata labels on every run, whatever is found: graphs must not have gaps.
  const perf = [
    { label: 'journal_size', value: facts.bytes, unit: 'B' as const, warning: journalSize },
    ...(n > 0 ? [] : [unfinished]),
  ];
  const over = journalSize !== undefined && facts.bytes > journalSize;
  out.push({
    check: 'journal',
    status: over ? 'WARNING' : 'OK',
    text: over ? `${size}, more than ${formatBytes(journalSize)}` : `${size} (${facts.root})`,
    perf,
  });
  return out;
}
