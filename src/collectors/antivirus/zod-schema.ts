/**
 * The `antivirus` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { list, nullableBoolean, nullableText, text } from '../report-parts.js';

export const antivirusProductSchema = z.object({
  name: text,
  enabled: nullableBoolean,
  realTime: nullableBoolean,
  upToDate: nullableBoolean,
  definitionsUpdatedAt: nullableText,
  /** Defender `Passive Mode`, Falcon `reduced functionality`, ... */
  state: nullableText.optional(),
  version: nullableText.optional(),
});

export const antivirusSchema = z.object({
  status: z.enum(['protected', 'unprotected', 'unknown']),
  products: list(antivirusProductSchema),
});
