/** The antivirus signal: each product found, and whether any of them protects the device. */
import type { z } from 'zod';
import type { antivirusProductSchema, antivirusSchema } from './zod-schema.js';

export type AntivirusProduct = z.infer<typeof antivirusProductSchema>;
export type Antivirus = z.infer<typeof antivirusSchema>;
export type ProtectionStatus = Antivirus['status'];

export const UNKNOWN_ANTIVIRUS: Antivirus = { status: 'unknown', products: [] };

/** A product protects only when it is enabled, scans in real time and has current definitions. */
export function isProtecting(product: AntivirusProduct): boolean {
  return product.enabled === true && product.realTime === true && product.upToDate === true;
}

function isKnownNotProtecting(product: AntivirusProduct): boolean {
  return product.enabled === false || product.realTime === false || product.upToDate === false;
}

/**
 * `complete` is false when some source could not be read: then "nothing found" is unknown, not
 * unprotected, because the unread source might have held a working product.
 */
export function deriveAntivirusStatus(products: readonly AntivirusProduct[], complete: boolean): ProtectionStatus {
  if (products.some(isProtecting)) return 'protected';
  if (complete && products.every(isKnownNotProtecting)) return 'unprotected';
  return 'unknown';
}
