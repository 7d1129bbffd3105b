/** The built-in check types a policy rule can name (documented in docs/policy.md). */
import { antivirusActive } from './antivirus.js';
import type { CheckDefinition } from './check.js';
import { diskEncryptionAllVolumes, diskEncryptionSystem } from './disk-encryption.js';
import { firewallEnabled } from './firewall.js';
import { osMaxDaysBehind } from './os-release-age.js';
import { osUpdatesAutomatic, osUpdatesMaxPendingSecurity } from './os-updates.js';
import { osMinimumVersion } from './os-version.js';
import { screenLockMaxDelay } from './screen-lock.js';
import { secureBootEnabled } from './secure-boot.js';
import { tpmPresent } from './tpm.js';

export type { CheckDefinition } from './check.js';

export const CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(
  (
    [
      diskEncryptionSystem,
      diskEncryptionAllVolumes,
      osMinimumVersion,
      osMaxDaysBehind,
      antivirusActive,
      firewallEnabled,
      screenLockMaxDelay,
      secureBootEnabled,
      tpmPresent,
      osUpdatesAutomatic,
      osUpdatesMaxPendingSecurity,
    ] as CheckDefinition[]
  ).map(
    (check) => [check.type, check],
  ),
);
