/**
 * Intel Macs with a Secure Enclave, by model identifier. The list is closed: Apple made no Intel
 * Mac after these. T2: Apple's "Mac computers that have the Apple T2 Security Chip"
 * (support.apple.com/103265, formerly HT208862): iMac Pro, iMac (Retina 5K, 27-inch, 2020), Mac Pro
 * (2019, and Rack), Mac mini (2018), MacBook Air (Retina, 2018-2020), MacBook Pro (2018-2020).
 * T1: MacBook Pro with Touch Bar (2016, 2017), whose T1 holds a Secure Enclave for Touch ID (Apple
 * Platform Security, "Secure Enclave": "MacBook Pro computers with Touch Bar (2016 and 2017) that
 * contain the Apple T1 Chip").
 */
import type { MacSecurityChip } from './parse-ibridge.js';

const T2_MODELS = new Set([
  'iMacPro1,1',
  'iMac20,1',
  'iMac20,2',
  'MacPro7,1',
  'Macmini8,1',
  'MacBookAir8,1',
  'MacBookAir8,2',
  'MacBookAir9,1',
  'MacBookPro15,1',
  'MacBookPro15,2',
  'MacBookPro15,3',
  'MacBookPro15,4',
  'MacBookPro16,1',
  'MacBookPro16,2',
  'MacBookPro16,3',
  'MacBookPro16,4',
]);

const T1_MODELS = new Set(['MacBookPro13,2', 'MacBookPro13,3', 'MacBookPro14,2', 'MacBookPro14,3']);

/** The security chip an Intel Mac model has; null for the Intel models without one (or a model not in the lists). */
export function intelSecurityChip(model: string): MacSecurityChip | null {
  if (T2_MODELS.has(model)) return 'T2';
  if (T1_MODELS.has(model)) return 'T1';
  return null;
}
