/**
 * The firewall probe's document (windows/firewall-script.ts): `profiles`, Get-NetFirewallProfile
 * from the ActiveStore, where Enabled is a GpoBoolean number (0 False, 1 True, 2 NotConfigured;
 * MSFT_NetFirewallProfile docs, W5 notes), and `thirdParty`, Security Center's FirewallProduct list
 * with productState decoded like an antivirus product's (absent on Windows Server).
 */
import { AgentError } from '../../shared/errors.js';
import { decodeProductState, describeProductState } from '../windows/parse-product-state.js';
import {
  numberField,
  parsePowerShellDocument,
  readSection,
  sourceStatus,
  stringField,
  type JsonRecord,
  type SourceStatus,
} from '../windows/parse-powershell-document.js';
import type { FirewallProduct } from './schema.js';
import { MODERN_PROFILES, type FirewallProfileState } from '../windows/firewall-profiles.js';

const FIREWALL_PROBE = 'firewall';

export interface FirewallReading {
  profiles: FirewallProfileState[];
  thirdParty: FirewallProduct[];
  profilesSource: SourceStatus;
  thirdPartySource: SourceStatus;
}

const GPO_BOOLEAN: Readonly<Record<number, { enabled: boolean | null; state: string }>> = {
  0: { enabled: false, state: 'False' },
  1: { enabled: true, state: 'True' },
  2: { enabled: null, state: 'NotConfigured' },
};

function profileState(item: JsonRecord): FirewallProfileState {
  const name = stringField(item, 'name') ?? '';
  const profile = MODERN_PROFILES.find((candidate) => candidate.toLowerCase() === name.trim().toLowerCase());
  if (!profile) throw new AgentError('ERR_PARSE', `Get-NetFirewallProfile listed an unknown profile "${name}".`);
  const enabled = numberField(item, 'enabled');
  const meaning = enabled === null ? undefined : GPO_BOOLEAN[enabled];
  return { profile, enabled: meaning?.enabled ?? null, state: meaning?.state ?? `Unknown (${enabled ?? 'none'})` };
}

function thirdPartyProduct(item: JsonRecord): FirewallProduct {
  const productState = numberField(item, 'productState');
  if (productState === null) throw new AgentError('ERR_PARSE', 'A Security Center firewall product has no productState.');
  const decoded = decodeProductState(productState);
  return {
    name: stringField(item, 'displayName')?.trim() || 'Unnamed firewall product',
    enabled: decoded.state === null ? null : decoded.state === 'on',
    state: describeProductState(productState, decoded),
  };
}

export function parseFirewallJson(text: string): FirewallReading {
  const document = parsePowerShellDocument(text, FIREWALL_PROBE);
  const profiles = readSection(document, 'profiles', profileState);
  const thirdParty = readSection(document, 'thirdParty', thirdPartyProduct);
  return {
    profiles: profiles.ok ? profiles.items : [],
    thirdParty: thirdParty.ok ? thirdParty.items : [],
    profilesSource: sourceStatus(profiles),
    thirdPartySource: sourceStatus(thirdParty),
  };
}
