/**
 * The posture report (design §2) as a schema, for whoever receives one from elsewhere: the
 * service never trusts the shape of a posture claim. Extra fields pass through (the contract
 * allows more fields); sizes are bounded.
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';
import { PLATFORMS, REPORT_SCHEMA, SIGNAL_NAMES, type PostureReport } from './report.js';

const text = z.string().max(2048);
const nullableText = text.nullable();
const bool = z.boolean().nullable();
const list = <T extends z.ZodType>(item: T) => z.array(item).max(64);

const volume = z.looseObject({
  mount: text,
  system: z.boolean(),
  encrypted: bool,
  method: nullableText,
  state: nullableText,
  percentEncrypted: z.number().min(0).max(100).nullable().optional(),
  protection: z.enum(['on', 'off', 'suspended', 'unknown']).optional(),
});

const antivirusProduct = z.looseObject({
  name: text,
  enabled: bool,
  realTime: bool,
  upToDate: bool,
  definitionsUpdatedAt: nullableText,
  state: nullableText.optional(),
  version: nullableText.optional(),
});

export const postureReportSchema = z.looseObject({
  schema: z.literal(REPORT_SCHEMA),
  collectedAt: z.iso.datetime(),
  device: z.looseObject({ id: nullableText, hostname: nullableText, serial: nullableText, model: nullableText, manufacturer: nullableText.optional() }),
  os: z.looseObject({
    platform: z.enum(PLATFORMS),
    id: nullableText.optional(),
    idLike: list(text).optional(),
    name: nullableText,
    version: nullableText,
    build: nullableText,
    displayVersion: nullableText.optional(),
    kernel: nullableText,
    arch: nullableText,
    supportEnd: nullableText.optional(),
  }),
  diskEncryption: z.looseObject({ status: z.enum(['encrypted', 'unencrypted', 'partial', 'unknown']), volumes: list(volume) }),
  antivirus: z.looseObject({ status: z.enum(['protected', 'unprotected', 'unknown']), products: list(antivirusProduct) }),
  firewall: z.looseObject({
    status: z.enum(['enabled', 'disabled', 'unknown']),
    products: list(z.looseObject({ name: text, enabled: bool, state: nullableText.optional() })),
  }),
  errors: list(z.looseObject({ signal: z.enum(['device', ...SIGNAL_NAMES]), code: z.enum(ERROR_CODES), message: text })),
});

/** NUL characters have no business in a report, and PostgreSQL cannot store them. */
function hasNul(value: unknown): boolean {
  return JSON.stringify(value).includes('\\u0000');
}

/** The report, or null when `value` is not one. */
export function parsePostureReport(value: unknown): PostureReport | null {
  if (hasNul(value)) return null;
  const parsed = postureReportSchema.safeParse(value);
  return parsed.success ? (parsed.data as unknown as PostureReport) : null;
}
