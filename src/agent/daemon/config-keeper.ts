/**
 * The daemon's configuration: loaded at start, loaded again when one of its files changes (the
 * folders are watched, so a file that appears later counts too), applied only when it differs and
 * is valid (a bad one is logged and the running one kept).
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { isAgentError, messageOf } from '../../shared/errors.js';
import type { AgentConfig } from '../config/agent-config.js';

export type LoadConfig = () => Promise<{ config: AgentConfig; files: string[] }>;

/** Identifies a configuration with the service it reports to (a one-way hash: the enrolment token is never kept). */
export function configFingerprint(config: AgentConfig, serviceUrl: string | null): string {
  return createHash('sha256').update(JSON.stringify({ ...config, serviceUrl })).digest('hex');
}

/** A change is applied this long after the last file event, so an editor's burst of writes is one reload. */
const RELOAD_DEBOUNCE_MS = 500;

export interface ConfigKeeperDeps {
  load: LoadConfig;
  log: Logger;
  /** Told after a changed configuration was applied (and the log level set from it). */
  onChanged: (config: AgentConfig) => void;
}

export class ConfigKeeper {
  readonly #deps: ConfigKeeperDeps;
  #config: AgentConfig | undefined;
  #files: string[] = [];
  #watchers: FSWatcher[] = [];
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: ConfigKeeperDeps) {
    this.#deps = deps;
  }

  /** The configuration in force (undefined before load(), as the daemon's was before it started). */
  get config(): AgentConfig {
    return this.#config!;
  }

  /** The first load: a configuration that does not load stops the daemon from starting. */
  async load(): Promise<AgentConfig> {
    const loaded = await this.#deps.load();
    this.#config = loaded.config;
    this.#files = loaded.files;
    return loaded.config;
  }

  /** Watches the folders of the configuration's files. */
  watch(): void {
    for (const directory of new Set(this.#files.map((file) => dirname(file)))) {
      const names = new Set(this.#files.filter((file) => dirname(file) === directory).map((file) => basename(file)));
      try {
        const watcher = watch(directory, { persistent: false }, (_event, name) => {
          if (name !== null && names.has(name)) this.#reloadSoon();
        });
        watcher.on('error', () => watcher.close());
        this.#watchers.push(watcher);
      } catch {
        // The directory does not exist (no managed configuration here): nothing to watch.
      }
    }
  }

  stop(): void {
    clearTimeout(this.#reloadTimer);
    for (const watcher of this.#watchers) watcher.close();
  }

  #reloadSoon(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => void this.#reload(), RELOAD_DEBOUNCE_MS);
  }

  async #reload(): Promise<void> {
    const { log } = this.#deps;
    try {
      const { config } = await this.#deps.load();
      if (JSON.stringify(config) === JSON.stringify(this.#config)) return;
      this.#config = config;
      log.level = config.logLevel;
      log.info({ service: config.serviceUrl, intervalSeconds: config.checkIntervalSeconds }, 'configuration changed');
      this.#deps.onChanged(config);
    } catch (error) {
      log.error({ code: isAgentError(error) ? error.code : 'ERR_CONFIG_INVALID', message: messageOf(error) }, 'configuration not applied');
    }
  }
}
