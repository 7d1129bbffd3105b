import type { z } from 'zod';
import type { Zod } from './check.js';
import type { Platform } from '../../shared/platform.js';

/** A parameter given once for every OS, or per OS: `7` or `{ win32: 7, darwin: 30 }`. */
export function perPlatform<T extends z.ZodType>(z: Zod, value: T) {
  return z.union([value, z.strictObject({ win32: value.optional(), darwin: value.optional(), linux: value.optional() })]);
}

export function forPlatform<T extends string | number>(
  value: T | Partial<Record<Platform, T>> | undefined,
  platform: Platform,
): T | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'object' ? value[platform] : value;
}
