/** Windows Firewall profiles as the parsers read them and as the report lists them. Pure. */
import type { FirewallProduct } from '../firewall/schema.js';

/** `Standard` is the legacy (`netsh firewall`, XP/2003) name of the non-domain profile. */
export type FirewallProfileName = 'Domain' | 'Private' | 'Public' | 'Standard';

export interface FirewallProfileState {
  profile: FirewallProfileName;
  enabled: boolean | null;
  /** The source's own word: `ON`, `Actif`, `EIN`, `Enable`, `True`, `NotConfigured`. */
  state: string;
}

export const MODERN_PROFILES: readonly FirewallProfileName[] = ['Domain', 'Private', 'Public'];
const LEGACY_PROFILES: readonly FirewallProfileName[] = ['Domain', 'Standard'];

function profileProductName(profile: FirewallProfileName): string {
  return `Windows Firewall (${profile})`;
}

/** One product per profile the firewall has; a profile no source described is listed as unknown. */
export function profileProducts(states: readonly FirewallProfileState[]): FirewallProduct[] {
  const expected = states.some((state) => state.profile === 'Standard') ? LEGACY_PROFILES : MODERN_PROFILES;
  return expected.map((profile) => {
    const state = states.find((candidate) => candidate.profile === profile);
    return { name: profileProductName(profile), enabled: state?.enabled ?? null, state: state?.state ?? 'not read' };
  });
}
