/**
 * The fleet list as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or
 * line break, quotes doubled). A cell that a spreadsheet would run as a formula (starting with
 * = + - @, a tab or a carriage return) is prefixed with ' so it stays text.
 */
import type { DeviceListItem, DeviceListView } from '../device-directory.js';

export const DEVICE_CSV_HEADER = [
  'id', 'hostname', 'serial', 'owner', 'platform', 'os_name', 'os_version', 'state', 'status', 'policy', 'appraised_at', 'last_seen_at', 'enrolled_at', 'revoked_at', 'failing',
] as const;

export function csvCell(value: string | null): string {
  if (value === null) return '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly (string | null)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export function deviceCsvLine(device: DeviceListItem): string {
  return csvLine([
    device.id, device.hostname, device.serial, device.owner, device.platform, device.os.name, device.os.version, device.state,
    device.latest?.status ?? null, device.latest?.policy ?? null, device.latest?.at ?? null, device.lastSeenAt, device.enrolledAt, device.revokedAt,
    device.failing.join(' '),
  ]);
}

/** The header, then every page from `first` on (`next` fetches the page after a cursor), one chunk per page. */
export async function* deviceCsv(first: DeviceListView, next: (cursor: string) => Promise<DeviceListView>): AsyncGenerator<string> {
  let page = first;
  yield csvLine(DEVICE_CSV_HEADER);
  for (;;) {
    yield page.devices.map(deviceCsvLine).join('');
    if (page.nextCursor === null) return;
    page = await next(page.nextCursor);
  }
}
