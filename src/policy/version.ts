/**
 * Version comparison for every OS's scheme: Windows 10.0.22631.4317 (build.UBR), macOS 14.6.1 and
 * Rapid Security Responses "13.3.1 (a)", distributions 22.04 / 12 / 40 / 3.23.2.
 */

export interface ParsedVersion {
  numbers: number[];
  /** macOS Rapid Security Response: (a) = 1, (b) = 2 ...; 0 when none. */
  securityResponse: number;
}

const VERSION_PATTERN = /^\s*v?(\d+(?:\.\d+)*)\s*(?:\(([a-z])\))?\s*$/i;

export function parseVersion(text: string): ParsedVersion | null {
  const match = VERSION_PATTERN.exec(text);
  if (!match) return null;
  const numbers = match[1]!.split('.').map((part) => Number.parseInt(part, 10));
  const letter = match[2]?.toLowerCase();
  return { numbers, securityResponse: letter ? letter.charCodeAt(0) - 96 : 0 };
}

/** Negative, zero or positive like a sort comparator; missing trailing components count as 0. */
export function compareParsedVersions(a: ParsedVersion, b: ParsedVersion): number {
  const length = Math.max(a.numbers.length, b.numbers.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (a.numbers[index] ?? 0) - (b.numbers[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.securityResponse - b.securityResponse;
}

function sameReleaseLine(device: ParsedVersion, minimum: ParsedVersion): boolean {
  const lineLength = Math.max(1, minimum.numbers.length - 1);
  for (let index = 0; index < lineLength; index += 1) {
    if ((device.numbers[index] ?? 0) !== (minimum.numbers[index] ?? 0)) return false;
  }
  return true;
}

/**
 * Whether a device version meets a list of minimums, one per supported release line. A minimum
 * on the device's own line (all components but the last) must be met; otherwise the device must
 * be at least the oldest minimum. One minimum is simply `device >= minimum`.
 *
 *   ["10.0.22631.4317", "10.0.26100.2033"]: 22631.4400 passes, 26100.1000 fails (its own line's
 *   patch is missing), 26200.10 passes (a newer line), 22000.x fails (older than every line).
 */
export function meetsMinimum(device: ParsedVersion, minimums: readonly ParsedVersion[]): boolean {
  if (minimums.length === 0) return false;
  const ownLine = minimums.filter((minimum) => sameReleaseLine(device, minimum));
  if (ownLine.length > 0) return ownLine.every((minimum) => compareParsedVersions(device, minimum) >= 0);
  const oldest = [...minimums].sort(compareParsedVersions)[0]!;
  return compareParsedVersions(device, oldest) >= 0;
}
