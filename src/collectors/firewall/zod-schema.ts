/**
 * The `firewall` part of the report as a zod schema, which its types (schema.ts) are inferred from.
 * Loaded only where reports are validated or described (the service, the docs, a session hand-over):
 * collecting and judging posture needs none of it.
 */
import { z } from 'zod';
import { list, nullableBoolean, nullableText, text } from '../report-parts.js';

export const firewallProductSchema = z.object({
  /** `Windows Firewall (Public)`, `macOS Application Firewall`, `ufw`, `firewalld`, `nftables`. */
  name: text,
  enabled: nullableBoolean,
  /** Extra detail from the source (`block all incoming`, `default deny incoming`). */
  state: nullableText.optional(),
});

export const firewallSchema = z.object({
  status: z.enum(['enabled', 'disabled', 'unknown']),
  products: list(firewallProductSchema),
});
