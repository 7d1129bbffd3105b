/**
 * An administrator paging through GET /v1/devices?limit=100 while the fleet checks in: pages at a
 * fixed rate, following nextCursor and starting over at the end; each page's latency is kept.
 */
import { errorCodeOf, type FleetHttp } from './fleet-http.js';
import { ErrorTally, Latencies } from './fleet-stats.js';

const PAGE = 100;

interface DevicePage {
  devices?: unknown[];
  nextCursor?: string | null;
}

export interface ListingOutcome {
  /** False when the service does not page (or would not let us list): then `note` says why. */
  available: boolean;
  note: string | null;
  pages: number;
  latencies: Latencies;
  errors: ErrorTally;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function pagePath(cursor: string | null): string {
  return `/v1/devices?limit=${PAGE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
}

export class DeviceLister {
  readonly #http: FleetHttp;
  readonly #adminKey: string | null;
  readonly #pagesPerSecond: number;
  readonly latencies = new Latencies();
  readonly errors = new ErrorTally();
  #note: string | null = null;
  #pages = 0;

  constructor(http: FleetHttp, adminKey: string | null, pagesPerSecond: number) {
    this.#http = http;
    this.#adminKey = adminKey;
    this.#pagesPerSecond = pagesPerSecond;
  }

  /** One first page: whether the service pages its listing at all. */
  async probe(): Promise<boolean> {
    if (this.#adminKey === null) {
      this.#note = 'no admin API key (--admin-key): listing not measured';
      return false;
    }
    const started = performance.now();
    let page: DevicePage;
    try {
      page = await this.#http.get<DevicePage>(pagePath(null), this.#adminKey);
    } catch (error) {
      this.#note = `GET /v1/devices failed (${errorCodeOf(error)}): listing not measured`;
      return false;
    }
    if (!('nextCursor' in page)) {
      const ms = Math.round(performance.now() - started);
      this.#note = `GET /v1/devices does not page on this service yet (no nextCursor; it answered all ${page.devices?.length ?? '?'} devices in one response, ${ms} ms): listing p99 not measured`;
      return false;
    }
    return true;
  }

  /** Pages until `end` (performance.now() ms). */
  async run(end: number): Promise<void> {
    const spacing = 1000 / this.#pagesPerSecond;
    let cursor: string | null = null;
    let next = performance.now();
    while (performance.now() < end) {
      await sleep(Math.max(0, next - performance.now()));
      if (performance.now() >= end) break;
      next += spacing;
      const started = performance.now();
      try {
        const page: DevicePage = await this.#http.get<DevicePage>(pagePath(cursor), this.#adminKey!);
        this.latencies.add(performance.now() - started);
        this.#pages += 1;
        cursor = page.nextCursor ?? null;
      } catch (error) {
        this.errors.add(errorCodeOf(error), (error as Error).message);
        cursor = null;
      }
    }
  }

  outcome(available: boolean): ListingOutcome {
    return { available, note: this.#note, pages: this.#pages, latencies: this.latencies, errors: this.errors };
  }
}
