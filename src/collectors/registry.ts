/**
 * One implementation of each signal per OS (after osquery's tables), from the signals' own
 * definitions. Only the running OS's collectors are loaded (their parsers pull in libraries the
 * others do not need, such as the plist parser on macOS).
 */
import type { Platform } from '../shared/platform.js';
import type { SignalCollector } from './host.js';
import { SIGNALS, type Signal } from './signals.js';

/** What each signal's collector returns (the os signal: the OS and the device inventory). */
export type Collected<S extends Signal> = S extends { unknown(platform: Platform): infer Value } ? Value : never;

export type PlatformCollectors = { [S in Signal as S['name']]: SignalCollector<Collected<S>> };

async function load(platform: Platform): Promise<PlatformCollectors> {
  const loaded = await Promise.all(SIGNALS.map(async (signal) => [signal.name, await signal.collectors[platform]()] as const));
  return Object.fromEntries(loaded) as unknown as PlatformCollectors;
}

const loaded = new Map<Platform, Promise<PlatformCollectors>>();

/** The collectors of one OS, loaded on first use. */
export function collectorsFor(platform: Platform): Promise<PlatformCollectors> {
  let collectors = loaded.get(platform);
  if (!collectors) {
    collectors = load(platform);
    loaded.set(platform, collectors);
  }
  return collectors;
}
