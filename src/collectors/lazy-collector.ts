/**
 * A signal's collector for one OS, imported on first use from a module in the signal's own folder.
 * The specifier is built at run time so that type-checking the report's types (the tray window's
 * project too) does not pull in every OS's implementation.
 */
import type { Platform } from '../shared/platform.js';
import type { SignalCollector } from './host.js';

export function lazyCollector<T>(base: string, file: `./${string}.js`, exportName: string): () => Promise<SignalCollector<T>> {
  return async () => {
    if (file.includes('/..') || file.includes('\\')) throw new Error(`${file}: a collector lives in its signal's own folder`);
    const module = (await import(new URL(file, base).href)) as Record<string, unknown>;
    const collector = module[exportName];
    if (typeof collector !== 'function') throw new Error(`${file} does not export the collector ${exportName}`);
    return collector as SignalCollector<T>;
  };
}

const SUFFIX: Readonly<Record<Platform, string>> = { win32: 'Win32', darwin: 'Darwin', linux: 'Linux' };

/** The usual layout: `./win32.js` exports `<name>Win32`, `./darwin.js` `<name>Darwin`, `./linux.js` `<name>Linux`. */
export function perOsCollectors<T>(base: string, name: string): Record<Platform, () => Promise<SignalCollector<T>>> {
  const load = (platform: Platform) => lazyCollector<T>(base, `./${platform}.js`, `${name}${SUFFIX[platform]}`);
  return { win32: load('win32'), darwin: load('darwin'), linux: load('linux') };
}
