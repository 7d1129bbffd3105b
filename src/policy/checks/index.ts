/** The built-in check types a policy rule can name (documented in docs/policy.md). */
import { antivirusActive } from './antivirus.js';
import type { CheckDefinition } from './check.js';
import { diskEncryptionAllVolumes, diskEncryptionSystem } from './disk-encryption.js';
import { firewallEnabled } from './firewall.js';
import { osMinimumVersion } from './os-version.js';

export type { CheckDefinition } from './check.js';

export const CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(
  ([diskEncryptionSystem, diskEncryptionAllVolumes, osMinimumVersion, antivirusActive, firewallEnabled] as CheckDefinition[]).map(
    (check) => [check.type, check],
  ),
);
