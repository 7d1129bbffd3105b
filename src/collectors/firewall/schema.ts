/** The firewall signal: each firewall product found, and whether any of them filters. */
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

export type FirewallProduct = z.infer<typeof firewallProductSchema>;
export type Firewall = z.infer<typeof firewallSchema>;
export type FirewallStatus = Firewall['status'];

export const UNKNOWN_FIREWALL: Firewall = { status: 'unknown', products: [] };

/**
 * Enabled when any firewall product filters; disabled only when every source was read and none
 * does. Windows applies its stricter all-profiles rule before calling this (see firewall/win32.ts).
 */
export function deriveFirewallStatus(products: readonly FirewallProduct[], complete: boolean): FirewallStatus {
  if (products.some((product) => product.enabled === true)) return 'enabled';
  if (complete && products.every((product) => product.enabled === false)) return 'disabled';
  return 'unknown';
}
