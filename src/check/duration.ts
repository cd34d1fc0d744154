// "36h", "90m", "2d", "45s" or a whole number of seconds → seconds. Pure.

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const match = /^([1-9][0-9]{0,6})([smhd])$/.exec(value);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2]] ?? 1);
}

/** Seconds as a short human duration: "3h 12m", "2d 4h", "45s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : ` ${s % 60}s`}`;
  // Hours up to two days: "36h" reads better than "1d 12h" (and is how the maildir spec says it).
  if (s < 2 * 86400)
    return `${Math.floor(s / 3600)}h${s % 3600 < 60 ? '' : ` ${Math.floor((s % 3600) / 60)}m`}`;
  return `${Math.floor(s / 86400)}d${s % 86400 < 3600 ? '' : ` ${Math.floor((s % 86400) / 3600)}h`}`;
}
