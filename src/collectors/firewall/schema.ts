/** The firewall signal: each firewall product found, and whether any of them filters. */
import type { z } from 'zod';
import type { firewallProductSchema, firewallSchema } from './zod-schema.js';

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
