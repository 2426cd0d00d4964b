/** `value` within `max` characters: cut, with a marker saying how much is gone (never inside a surrogate pair). */
export function truncated(value: string, max: number): string {
  if (value.length <= max) return value;
  let keep = Math.max(0, max - 24);
  if (/[\uDC00-\uDFFF]/.test(value[keep] ?? '')) keep--;
  return `${value.slice(0, keep)}… (${value.length - keep} more characters)`;
}

/** A request path as a message may quote it: its start only. */
export const quotedPath = (path: string): string => truncated(path, 100);
