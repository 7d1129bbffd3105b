/**
 * The screen-lock probe's document (screen-lock-script.ts). Sections:
 * - machinePolicy: HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System
 *   InactivityTimeoutSecs ("Interactive logon: Machine inactivity limit", seconds, 0 = off);
 * - userDesktop / policyDesktop: ScreenSaveActive, ScreenSaverIsSecure, ScreenSaveTimeOut (REG_SZ
 *   seconds) and SCRNSAVE.EXE of HKCU\Control Panel\Desktop and of its Group Policy twin
 *   HKCU\Software\Policies\Microsoft\Windows\Control Panel\Desktop (no item: the key does not exist);
 * - powerPolicy: Group Policy's AC/DC indexes for CONSOLELOCK and STANDBYIDLE;
 * - consoleLock / standbyIdle: `powercfg /qh` of the active scheme, as printed, with its exit code.
 * A section the probe could not read is kept as its problem, so the collector can tell "not set"
 * from "not known". Pure.
 */
import { AgentError, isAgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import {
  numberField,
  parsePowerShellDocument,
  readSection,
  sourceStatus,
  stringField,
  textOrNumberField,
  type JsonRecord,
  type SourceStatus,
} from '../windows/parse-powershell-document.js';
import { CONSOLELOCK, parsePowercfgQuery, STANDBYIDLE } from './parse-powercfg-query.js';

export const SCREEN_LOCK_PROBE = 'screen-lock';

export interface DesktopValues {
  screenSaveActive: string | null;
  screenSaverIsSecure: string | null;
  screenSaveTimeOut: string | null;
  screenSaverExe: string | null;
}

export interface AcDc {
  ac: number | null;
  dc: number | null;
}

export interface ScreenLockReadingWin32 {
  inactivityTimeoutSecs: number | null;
  machinePolicySource: SourceStatus;
  /** null: the key does not exist. */
  userDesktop: DesktopValues | null;
  userDesktopSource: SourceStatus;
  policyDesktop: DesktopValues | null;
  policyDesktopSource: SourceStatus;
  policyConsoleLock: AcDc | null;
  policyStandbyIdle: AcDc | null;
  powerPolicySource: SourceStatus;
  /** null: powercfg answered but did not list the setting. */
  consoleLock: AcDc | null;
  consoleLockSource: SourceStatus;
  standbyIdle: AcDc | null;
  standbyIdleSource: SourceStatus;
}


function desktopValues(record: JsonRecord): DesktopValues {
  return {
    screenSaveActive: textOrNumberField(record, 'ScreenSaveActive'),
    screenSaverIsSecure: textOrNumberField(record, 'ScreenSaverIsSecure'),
    screenSaveTimeOut: textOrNumberField(record, 'ScreenSaveTimeOut'),
    screenSaverExe: textOrNumberField(record, 'SCRNSAVE.EXE'),
  };
}

/** A DWORD as a number, or a decimal REG_SZ (written by hand instead of by the policy editor). */
function registryNumber(record: JsonRecord, key: string): number | null {
  const text = textOrNumberField(record, key);
  if (text === null || text.trim() === '') return null;
  if (!/^\d+$/.test(text.trim())) throw new AgentError('ERR_PARSE', `${key} is "${text}", not a number.`);
  return Number(text.trim());
}

function single<T>(items: T[]): T | null {
  return items[0] ?? null;
}

interface PowercfgResult {
  values: AcDc | null;
  source: SourceStatus;
}

function powercfgSection(document: JsonRecord, name: string, setting: string): PowercfgResult {
  const section = readSection(document, name, (item) => ({ exitCode: numberField(item, 'exitCode'), output: stringField(item, 'output') ?? '' }));
  if (!section.ok) return { values: null, source: section.problem };
  const answer = section.items[0];
  if (!answer) throw new AgentError('ERR_PARSE', `The "${name}" section holds no powercfg answer.`);
  try {
    const index = parsePowercfgQuery(answer.output).find((entry) => entry.setting === setting);
    if (answer.exitCode !== 0 && !index) throw new AgentError('ERR_COMMAND_FAILED', `powercfg exited with ${answer.exitCode ?? 'no code'}: ${firstLine(answer.output)}`);
    return { values: index ? { ac: index.ac, dc: index.dc } : null, source: 'read' };
  } catch (error) {
    if (!isAgentError(error)) throw error;
    const kind = error.code === 'ERR_ACCESS_DENIED' ? 'access-denied' : error.code === 'ERR_NOT_FOUND' ? 'not-available' : 'failed';
    return { values: null, source: { kind, message: error.message } };
  }
}

function firstLine(text: string): string {
  return lines(text).find((line) => line.trim() !== '')?.trim().slice(0, 200) ?? 'no output';
}

export function parseScreenLockJson(text: string): ScreenLockReadingWin32 {
  const document = parsePowerShellDocument(text, SCREEN_LOCK_PROBE);
  const machine = readSection(document, 'machinePolicy', (item) => registryNumber(item, 'InactivityTimeoutSecs'));
  const user = readSection(document, 'userDesktop', desktopValues);
  const policy = readSection(document, 'policyDesktop', desktopValues);
  const power = readSection(document, 'powerPolicy', (item) => ({
    setting: (stringField(item, 'setting') ?? '').toLowerCase(),
    values: { ac: registryNumber(item, 'ac'), dc: registryNumber(item, 'dc') },
  }));
  const powerItems = power.ok ? power.items : [];
  const consoleLock = powercfgSection(document, 'consoleLock', CONSOLELOCK);
  const standbyIdle = powercfgSection(document, 'standbyIdle', STANDBYIDLE);
  return {
    inactivityTimeoutSecs: machine.ok ? (single(machine.items) ?? null) : null,
    machinePolicySource: sourceStatus(machine),
    userDesktop: user.ok ? single(user.items) : null,
    userDesktopSource: sourceStatus(user),
    policyDesktop: policy.ok ? single(policy.items) : null,
    policyDesktopSource: sourceStatus(policy),
    policyConsoleLock: powerItems.find((item) => item.setting === CONSOLELOCK)?.values ?? null,
    policyStandbyIdle: powerItems.find((item) => item.setting === STANDBYIDLE)?.values ?? null,
    powerPolicySource: sourceStatus(power),
    consoleLock: consoleLock.values,
    consoleLockSource: consoleLock.source,
    standbyIdle: standbyIdle.values,
    standbyIdleSource: standbyIdle.source,
  };
}
