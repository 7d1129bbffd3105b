/**
 * Where the agent's configuration comes from, lowest precedence first: defaults; the user's file
 * (`--config`, or config.json in the state directory); environment variables; command-line flags;
 * then the managed locations, which always win:
 *   Linux   /etc/posture-agent/config.json
 *   macOS   /Library/Application Support/PostureAgent/config.json, then the MDM profile
 *           /Library/Managed Preferences/com.posture-agent.tray.plist
 *   Windows %ProgramData%\PostureAgent\config.json, then the Group Policy key
 *           HKLM\SOFTWARE\Policies\PostureAgent
 * Everything is read through the Host, so every OS's sources are tested on any machine.
 */
import type { Host } from '../../collectors/host.js';
import { pathExists, readOptionalFile, toAgentError } from '../../collectors/host-errors.js';
import { parseRegistryKey, registryInteger, registryString, type RegistryValue } from '../../collectors/windows/parse-registry-key.js';
import { DARWIN_COMMANDS } from '../../exec/commands-darwin.js';
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';
import { AgentError } from '../../shared/errors.js';
import type { Platform } from '../../shared/platform.js';
import { CONFIG_KEYS, mergeConfig, type AgentConfig, type ConfigLayer, type ConfigSource } from './agent-config.js';

export const MANAGED_BUNDLE_ID = 'com.posture-agent.tray';
export const POLICIES_KEY = 'HKLM\\SOFTWARE\\Policies\\PostureAgent';

/** Environment variables, each a layer of its own so an error names the variable. */
export const ENVIRONMENT: Readonly<Record<string, keyof ConfigLayer>> = {
  POSTURE_AGENT_SERVICE_URL: 'serviceUrl',
  POSTURE_AGENT_ENROLLMENT_TOKEN: 'enrollmentToken',
  POSTURE_AGENT_CHECK_INTERVAL: 'checkIntervalSeconds',
  POSTURE_AGENT_RESULT_AUDIENCE: 'resultAudience',
  POSTURE_AGENT_LOG_LEVEL: 'logLevel',
  POSTURE_AGENT_DEVICE_CERTIFICATE: 'deviceCertificate',
  POSTURE_AGENT_CERTIFICATE_URLS: 'certificateUrls',
};

const NUMERIC: ReadonlySet<keyof ConfigLayer> = new Set(['checkIntervalSeconds', 'localApiPort', 'retryInitialSeconds', 'retryMaxSeconds']);
const BOOLEAN: ReadonlySet<keyof ConfigLayer> = new Set(['deviceCertificate']);
const LIST: ReadonlySet<keyof ConfigLayer> = new Set(['certificateUrls']);

/**
 * A setting written as text (an environment variable, a REG_SZ): numbers, true/false/1/0 and lists
 * (comma or space separated) become what the key expects; anything else is passed on as text, so
 * validation refuses it by name.
 */
function fromText(key: keyof ConfigLayer, raw: string): unknown {
  if (NUMERIC.has(key) && /^\d+$/.test(raw)) return Number(raw);
  if (BOOLEAN.has(key) && /^(true|1)$/i.test(raw)) return true;
  if (BOOLEAN.has(key) && /^(false|0)$/i.test(raw)) return false;
  if (LIST.has(key)) return raw.split(/[\s,]+/).filter((item) => item !== '');
  return raw;
}

/** A registry value as the key expects it: REG_DWORD numbers and 0/1 booleans, REG_MULTI_SZ lists. */
function fromRegistry(key: keyof ConfigLayer, values: ReadonlyMap<string, RegistryValue>, registryName: string): unknown {
  const value = values.get(registryName.toLowerCase());
  if (value === undefined) return null;
  if (value.type === 'REG_DWORD' && (NUMERIC.has(key) || BOOLEAN.has(key))) {
    const number = registryInteger(values, registryName);
    if (number === null || NUMERIC.has(key)) return number;
    return number === 1 ? true : number === 0 ? false : number;
  }
  // reg.exe prints a REG_MULTI_SZ's strings joined with the two characters \0.
  if (value.type === 'REG_MULTI_SZ' && LIST.has(key)) return value.data.split('\\0').filter((item) => item !== '');
  const text = registryString(values, registryName);
  return text === null ? null : fromText(key, text);
}

type ManagedLocation = { kind: 'json'; path: string } | { kind: 'plist'; path: string } | { kind: 'registry'; key: string };

export function managedLocations(platform: Platform, env: Readonly<Record<string, string | undefined>>): ManagedLocation[] {
  switch (platform) {
    case 'linux':
      return [{ kind: 'json', path: '/etc/posture-agent/config.json' }];
    case 'darwin':
      return [
        { kind: 'json', path: '/Library/Application Support/PostureAgent/config.json' },
        { kind: 'plist', path: `/Library/Managed Preferences/${MANAGED_BUNDLE_ID}.plist` },
      ];
    case 'win32':
      return [
        { kind: 'json', path: `${env['ProgramData'] ?? 'C:\\ProgramData'}\\PostureAgent\\config.json` },
        { kind: 'registry', key: POLICIES_KEY },
      ];
  }
}

function objectOrRefuse(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentError('ERR_CONFIG_INVALID', `${name}: expected an object of settings.`);
  }
  return value as Record<string, unknown>;
}

async function jsonFile(host: Host, path: string, managed: boolean): Promise<ConfigSource | null> {
  const text = await readOptionalFile(host, path);
  if (text === null) return null;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new AgentError('ERR_CONFIG_INVALID', `${path}: not valid JSON; fix or remove the file.`);
  }
  return { name: path, managed, values: objectOrRefuse(document, path) };
}

async function plistFile(host: Host, path: string): Promise<ConfigSource | null> {
  if ((await pathExists(host, path)) === false) return null;
  const result = await host.run(DARWIN_COMMANDS.plutil, ['-convert', 'json', '-o', '-', path]);
  if (result.exitCode !== 0) throw new AgentError('ERR_CONFIG_INVALID', `${path}: plutil could not read it (${result.stderr.trim() || `exit ${result.exitCode}`}).`);
  let document: unknown;
  try {
    document = JSON.parse(result.stdout);
  } catch {
    throw new AgentError('ERR_CONFIG_INVALID', `${path}: plutil did not print JSON.`);
  }
  return { name: path, managed: true, values: objectOrRefuse(document, path) };
}

async function registryKey(host: Host, key: string): Promise<ConfigSource | null> {
  const result = await host.run(WIN32_COMMANDS.reg, ['query', key]);
  // reg.exe exits 1 with an error on stderr when the key does not exist: no policy is set.
  if (result.exitCode !== 0 && result.stdout.trim() === '' && !/denied|verweigert|refus|denegado/i.test(result.stderr)) return null;
  const values = parseRegistryKey(result.stdout.trim() === '' ? result.stderr : result.stdout, key);
  const layer: Record<string, unknown> = {};
  for (const name of CONFIG_KEYS) {
    const value = fromRegistry(name, values, name[0]!.toUpperCase() + name.slice(1));
    if (value !== null) layer[name] = value;
  }
  return { name: key, managed: true, values: layer };
}

async function managedSource(host: Host, location: ManagedLocation): Promise<ConfigSource | null> {
  try {
    if (location.kind === 'json') return await jsonFile(host, location.path, true);
    if (location.kind === 'plist') return await plistFile(host, location.path);
    return await registryKey(host, location.key);
  } catch (error) {
    if (error instanceof AgentError && error.code === 'ERR_CONFIG_INVALID') throw error;
    const where = location.kind === 'registry' ? location.key : location.path;
    const failed = toAgentError(error, where);
    throw new AgentError('ERR_CONFIG_INVALID', `The managed configuration ${where} could not be read: ${failed.message}`);
  }
}

function environmentSources(env: Readonly<Record<string, string | undefined>>): ConfigSource[] {
  return Object.entries(ENVIRONMENT).flatMap(([variable, key]) => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return [];
    return [{ name: `environment variable ${variable}`, managed: false, values: { [key]: fromText(key, raw) } }];
  });
}

export interface ConfigInputs {
  host: Host;
  env: Readonly<Record<string, string | undefined>>;
  /** Command-line flags, each named as the user typed it, e.g. { '--interval': { checkIntervalSeconds: 60 } }. */
  flags: Readonly<Record<string, ConfigLayer>>;
  /** The user's file: --config, or config.json in the state directory. */
  userConfigFile: string;
}

export interface LoadedConfig {
  config: AgentConfig;
  /** Where each layer came from, lowest precedence first. */
  sources: string[];
  /** Files worth watching for changes. */
  files: string[];
}

export async function loadAgentConfig(inputs: ConfigInputs): Promise<LoadedConfig> {
  const { host, env } = inputs;
  const locations = managedLocations(host.platform, env);
  const managed = await Promise.all(locations.map((location) => managedSource(host, location)));
  const user = await jsonFile(host, inputs.userConfigFile, false).catch((error: unknown) => {
    if (error instanceof AgentError) throw error;
    throw toAgentError(error, inputs.userConfigFile);
  });
  const flagSources: ConfigSource[] = Object.entries(inputs.flags).map(([flag, values]) => ({ name: flag, managed: false, values }));
  const sources = [user, ...environmentSources(env), ...flagSources, ...managed].filter((source): source is ConfigSource => source !== null);
  const files = [inputs.userConfigFile, ...locations.flatMap((location) => (location.kind === 'registry' ? [] : [location.path]))];
  return { config: mergeConfig(sources), sources: sources.map((source) => source.name), files };
}
