// "50M" → 52428800. Suffixes are powers of 1024, as in Postfix's and Exim's size settings.
// The same syntax as the schema's sizeLimit pattern; shared by the config and --size-limit.
const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const SIZE = /^([1-9][0-9]{0,12})([KMG]?)$/;

/** Bytes for a positive integer or a size string; undefined if it is neither. */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const match = SIZE.exec(value);
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (UNITS[match[2] ?? ''] ?? 1);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
