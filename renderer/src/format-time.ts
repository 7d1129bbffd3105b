/**
 * Times in the user's locale and time zone: relative ("2 minutes ago", "in 3 minutes") for the
 * glance, exact for the tooltip, and the short form of a grace deadline ("Tue 25 Nov, 10:00").
 */

export interface TimeFormat {
  /** "2 minutes ago" / "in 3 minutes" / "now"; null when the time cannot be read. */
  relative(iso: string, now: number): string | null;
  /** "Tuesday 25 November 2026 at 10:00" in the user's locale; null when unreadable. */
  exact(iso: string): string | null;
  /** "Tue 25 Nov, 10:00" in the user's locale; null when unreadable. */
  deadline(iso: string): string | null;
}

const UNITS: readonly (readonly [Intl.RelativeTimeFormatUnit, number])[] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** Under this many seconds either way, a time is "now". */
const NOW_SECONDS = 45;

export function parseTime(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * @param locales undefined for the user's own (the window's language, which Electron sets from the OS)
 * @param timeZone undefined for the user's own
 */
export function createTimeFormat(locales?: string | readonly string[], timeZone?: string): TimeFormat {
  const list = typeof locales === 'string' ? [locales] : locales ? [...locales] : undefined;
  const zone = timeZone === undefined ? {} : { timeZone };
  const relativeFormat = new Intl.RelativeTimeFormat(list, { numeric: 'auto' });
  const exactFormat = new Intl.DateTimeFormat(list, { dateStyle: 'full', timeStyle: 'short', ...zone });
  const deadlineFormat = new Intl.DateTimeFormat(list, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    ...zone,
  });

  return {
    relative(iso, now) {
      const ms = parseTime(iso);
      if (ms === null) return null;
      const seconds = (ms - now) / 1000;
      const size = Math.abs(seconds);
      if (size < NOW_SECONDS) return relativeFormat.format(0, 'second');
      for (const [unit, unitSeconds] of UNITS) {
        if (size >= unitSeconds || unit === 'minute') {
          const count = Math.max(1, Math.round(size / unitSeconds));
          return relativeFormat.format(seconds < 0 ? -count : count, unit);
        }
      }
      return null;
    },
    exact(iso) {
      const ms = parseTime(iso);
      return ms === null ? null : exactFormat.format(ms);
    },
    deadline(iso) {
      const ms = parseTime(iso);
      return ms === null ? null : deadlineFormat.format(ms);
    },
  };
}

/** A <time> element: the relative time as text, the exact time in `datetime` and `title`. */
export function timeElement(iso: string, format: TimeFormat, now: number): HTMLTimeElement | null {
  const relative = format.relative(iso, now);
  const exact = format.exact(iso);
  if (relative === null || exact === null) return null;
  const node = document.createElement('time');
  node.dateTime = iso;
  node.title = exact;
  node.textContent = relative;
  return node;
}
