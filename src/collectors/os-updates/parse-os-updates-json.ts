/**
 * The osUpdates probe's document (windows-script.ts). Each section is `{ "data": [...] }` (a key that
 * does not exist gives an empty list) or `{ "error": {...} }`. Values are as the registry and the
 * Windows Update Agent hold them:
 * - policy: NoAutoUpdate (1 = automatic updates off), AUOptions (2 notify before download, 3 download
 *   and notify before install, 4 download and install on a schedule, 5 local administrator chooses,
 *   7 download, notify to install, notify to restart), ScheduledInstallDay/Time, UseWUServer;
 * - wsus: WUServer, DisableWindowsUpdateAccess; mdm: AllowAutoUpdate (Policy CSP Update, 0..5);
 * - pause: PauseUpdatesExpiryTime / PauseQualityUpdatesEndTime / PauseFeatureUpdatesEndTime (UTC text);
 * - service: wuauserv Start (2 automatic, 3 manual, 4 disabled);
 * - autoUpdate: NotificationLevel (AutomaticUpdatesNotificationLevel 0..4), readOnly, serviceEnabled,
 *   last search / installation success (ISO dates);
 * - reboot: whether ...\WindowsUpdate\Auto Update\RebootRequired exists; systemInfo: RebootRequired.
 * Pure.
 */
import { AgentError } from '../../shared/errors.js';
import {
  booleanField,
  numberField,
  parsePowerShellDocument,
  readSection,
  sourceStatus,
  stringField,
  type JsonRecord,
  type SectionResult,
  type SourceStatus,
} from '../windows/parse-powershell-document.js';

export interface Sourced<T> {
  value: T | null;
  source: SourceStatus;
}

export interface WindowsUpdatePolicy {
  noAutoUpdate: number | null;
  auOptions: number | null;
  scheduledInstallDay: number | null;
  scheduledInstallTime: number | null;
  useWUServer: number | null;
}

export interface WindowsUpdateSettings {
  notificationLevel: number | null;
  readOnly: boolean | null;
  serviceEnabled: boolean | null;
  lastSearchSuccessDate: string | null;
  lastInstallationSuccessDate: string | null;
}

export interface WindowsUpdatePause {
  pauseUpdatesExpiryTime: string | null;
  pauseQualityUpdatesEndTime: string | null;
  pauseFeatureUpdatesEndTime: string | null;
}

export interface OsUpdatesReading {
  /** null value: the key does not exist (no policy). */
  policy: Sourced<WindowsUpdatePolicy>;
  wsus: Sourced<{ wuServer: string | null; disableWindowsUpdateAccess: number | null }>;
  mdm: Sourced<{ allowAutoUpdate: number | null }>;
  pause: Sourced<WindowsUpdatePause>;
  /** wuauserv's Start value. */
  service: Sourced<number | null>;
  autoUpdate: Sourced<WindowsUpdateSettings>;
  rebootRequiredKey: Sourced<boolean>;
  systemInfoRebootRequired: Sourced<boolean>;
}

const PROBE = 'osUpdates';

function single<T>(section: SectionResult<T>, name: string): Sourced<T> {
  if (!section.ok) return { value: null, source: sourceStatus(section) };
  if (section.items.length > 1) throw new AgentError('ERR_PARSE', `The "${name}" section holds ${section.items.length} records, not one.`);
  return { value: section.items[0] ?? null, source: 'read' };
}

function date(record: JsonRecord, key: string): string | null {
  const value = stringField(record, key);
  if (value === null || value.trim() === '') return null;
  if (Number.isNaN(Date.parse(value))) throw new AgentError('ERR_PARSE', `${key} is "${value}", not a date.`);
  return value.trim();
}

export function parseOsUpdatesJson(text: string): OsUpdatesReading {
  const document = parsePowerShellDocument(text, PROBE);
  return {
    policy: single(
      readSection(document, 'policy', (item) => ({
        noAutoUpdate: numberField(item, 'NoAutoUpdate'),
        auOptions: numberField(item, 'AUOptions'),
        scheduledInstallDay: numberField(item, 'ScheduledInstallDay'),
        scheduledInstallTime: numberField(item, 'ScheduledInstallTime'),
        useWUServer: numberField(item, 'UseWUServer'),
      })),
      'policy',
    ),
    wsus: single(
      readSection(document, 'wsus', (item) => ({ wuServer: stringField(item, 'WUServer'), disableWindowsUpdateAccess: numberField(item, 'DisableWindowsUpdateAccess') })),
      'wsus',
    ),
    mdm: single(readSection(document, 'mdm', (item) => ({ allowAutoUpdate: numberField(item, 'AllowAutoUpdate') })), 'mdm'),
    pause: single(
      readSection(document, 'pause', (item) => ({
        pauseUpdatesExpiryTime: date(item, 'PauseUpdatesExpiryTime'),
        pauseQualityUpdatesEndTime: date(item, 'PauseQualityUpdatesEndTime'),
        pauseFeatureUpdatesEndTime: date(item, 'PauseFeatureUpdatesEndTime'),
      })),
      'pause',
    ),
    service: single(readSection(document, 'service', (item) => numberField(item, 'Start')), 'service'),
    autoUpdate: single(
      readSection(document, 'autoUpdate', (item) => ({
        notificationLevel: numberField(item, 'notificationLevel'),
        readOnly: booleanField(item, 'readOnly'),
        serviceEnabled: booleanField(item, 'serviceEnabled'),
        lastSearchSuccessDate: date(item, 'lastSearchSuccessDate'),
        lastInstallationSuccessDate: date(item, 'lastInstallationSuccessDate'),
      })),
      'autoUpdate',
    ),
    rebootRequiredKey: single(readSection(document, 'reboot', (item) => booleanField(item, 'rebootRequiredKey') ?? false), 'reboot'),
    systemInfoRebootRequired: single(readSection(document, 'systemInfo', (item) => booleanField(item, 'rebootRequired') ?? false), 'systemInfo'),
  };
}
