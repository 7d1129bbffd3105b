/**
 * The posture report (a contract, docs/architecture.md): what `posture-agent check --json` prints
 * and what the Evidence's `posture` claim carries. Its schema is built from the signals' own
 * schemas (signals.ts); field names are fixed, fields may be added, so objects are open. The
 * service never trusts the shape of a posture claim: parsePostureReport checks it.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../shared/errors.js';
import { list, nullableText, text } from './report-parts.js';
import { REPORT_SCHEMA } from './report-id.js';
import { SIGNAL_SCHEMAS } from './signal-schemas.js';
import { SIGNAL_NAMES, SIGNALS, type SignalName } from './signals.js';

export { SIGNAL_NAMES, SIGNALS, type SignalName } from './signals.js';
export { REPORT_SCHEMA } from './report-id.js';

export const deviceInfoSchema = z.object({
  /** The app-specific device id (src/attest), never the raw machine id. */
  id: nullableText,
  hostname: nullableText,
  serial: nullableText,
  model: nullableText,
  manufacturer: nullableText.optional(),
});

export const signalErrorSchema = z.object({
  signal: z.enum(['device', ...SIGNAL_NAMES]),
  code: z.enum(ERROR_CODES),
  message: text,
});

type SignalShape = typeof SIGNAL_SCHEMAS;

function signalShape(received: boolean): SignalShape {
  const entries = SIGNALS.map((signal) => [signal.name, received && signal.optionalInReports ? SIGNAL_SCHEMAS[signal.name].optional() : SIGNAL_SCHEMAS[signal.name]]);
  return Object.fromEntries(entries) as SignalShape;
}

const envelope = {
  schema: z.literal(REPORT_SCHEMA),
  collectedAt: z.iso.datetime(),
  device: deviceInfoSchema,
};

/** The report as this agent writes it: every signal present. */
export const postureReportSchema = z.object({ ...envelope, ...signalShape(false), errors: list(signalErrorSchema) });
/** The report as the service accepts it: the signals added after the first version may be missing (older agents). */
export const receivedReportSchema = z.object({ ...envelope, ...signalShape(true), errors: list(signalErrorSchema) });

export type PostureReport = z.infer<typeof postureReportSchema>;
export type DeviceInfo = z.infer<typeof deviceInfoSchema>;
export type SignalError = z.infer<typeof signalErrorSchema>;
export type SignalValue<Name extends SignalName> = PostureReport[Name];

/** NUL characters have no business in a report, and PostgreSQL cannot store them. */
function hasNul(value: unknown): boolean {
  return JSON.stringify(value).includes('\\u0000');
}

/**
 * The report, or null when `value` is not one. A signal an older agent did not send becomes
 * unknown, with an error saying so: unknown is never pass.
 */
export function parsePostureReport(value: unknown): PostureReport | null {
  if (hasNul(value)) return null;
  const parsed = receivedReportSchema.safeParse(value);
  if (!parsed.success) return null;
  const report: Record<string, unknown> = { ...parsed.data, errors: [...parsed.data.errors] };
  const errors = report['errors'] as SignalError[];
  for (const signal of SIGNALS) {
    if (report[signal.name] !== undefined) continue;
    const unknown = signal.unknown(parsed.data.os.platform);
    report[signal.name] = signal.split ? signal.split(unknown as never).value : unknown;
    errors.push({ signal: signal.name, code: 'ERR_SIGNAL_NOT_REPORTED', message: `This agent version does not report ${signal.title.toLowerCase()}; update the agent.` });
  }
  return report as PostureReport;
}
