/**
 * Windows Security Center `productState` (SecurityCenter2 AntiVirusProduct and FirewallProduct).
 * Undocumented by Microsoft; the decoding every integration uses follows the wscapi.h enums
 * (shared fixtures README, W3): byte 2 `(state >> 16) & 0xFF` is the provider, `state & 0xF000`
 * the product state (WSC_SECURITY_PRODUCT_STATE) and `state & 0x00F0` the signature status
 * (WSC_SECURITY_SIGNATURE_STATUS). Decoded by masks, never by comparing whole values.
 */
export type SecurityCenterProductState = 'on' | 'off' | 'snoozed' | 'expired';

export interface DecodedProductState {
  state: SecurityCenterProductState | null;
  /** Signatures up to date; null when the bits hold a value wscapi.h does not define. */
  signaturesUpToDate: boolean | null;
}

const PRODUCT_STATE_MASK = 0xf000;
const PRODUCT_STATES: Readonly<Record<number, SecurityCenterProductState>> = {
  0x0000: 'off',
  0x1000: 'on',
  0x2000: 'snoozed',
  0x3000: 'expired',
};
const SIGNATURE_MASK = 0x00f0;
const SIGNATURE_UP_TO_DATE = 0x00;
const SIGNATURE_OUT_OF_DATE = 0x10;

export function decodeProductState(productState: number): DecodedProductState {
  const signatures = productState & SIGNATURE_MASK;
  return {
    state: PRODUCT_STATES[productState & PRODUCT_STATE_MASK] ?? null,
    signaturesUpToDate: signatures === SIGNATURE_UP_TO_DATE ? true : signatures === SIGNATURE_OUT_OF_DATE ? false : null,
  };
}

/** `On`, `Off`, `Snoozed`, `Expired`, or the raw value in hex when the bits are not defined. */
export function describeProductState(productState: number, decoded: DecodedProductState): string {
  if (decoded.state === null) return `Unknown state 0x${productState.toString(16)}`;
  return decoded.state.charAt(0).toUpperCase() + decoded.state.slice(1);
}
