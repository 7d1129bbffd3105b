/**
 * The report's documentation, generated from the signals' own schemas: the table in
 * docs/collectors.md and the PostureReport component of docs/openapi.yaml (`npm run docs`
 * rewrites both; test/unit/collectors/report-docs.test.ts fails when they are stale).
 */
import { z } from 'zod';
import { receivedReportSchema } from './report.js';
import { SIGNAL_SCHEMAS } from './signal-schemas.js';
import { SIGNALS } from './signals.js';

function statusValues(schema: z.ZodType): string {
  const status = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>)['status'] : undefined;
  return status instanceof z.ZodEnum ? status.options.map((value) => `\`${String(value)}\``).join(' ') : '(fields are null when unknown)';
}

/** One row per signal: report key, title, status values, what is collected and why. */
export function signalsTable(): string {
  const rows = SIGNALS.map((signal) => {
    const since = signal.optionalInReports ? ' (may be absent from older agents\' reports: read as unknown)' : '';
    return `| \`${signal.name}\` | ${signal.title} | ${statusValues(SIGNAL_SCHEMAS[signal.name])} | ${signal.collected}${since} |`;
  });
  return ['| report key | title | `status` | what is collected and why |', '|---|---|---|---|', ...rows].join('\n');
}

/** The PostureReport schema for docs/openapi.yaml (OpenAPI 3.1 is JSON Schema 2020-12): what the service accepts. */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(receivedReportSchema, {
    target: 'draft-2020-12',
    io: 'input',
    override: (context) => {
      // The ISO date-time regular expression zod adds says no more than `format: date-time` does.
      if (context.jsonSchema.format === 'date-time') delete context.jsonSchema.pattern;
    },
  }) as Record<string, unknown>;
  delete schema['$schema'];
  return {
    description: 'The posture report (docs/collectors.md), generated from the signals\' zod schemas by `npm run docs`. Field names are fixed; more fields may appear, so objects are open.',
    ...schema,
  };
}
