/**
 * The fleet list's parameters, the same for GET /v1/devices and `posture-service devices list`:
 * validated into a store query, with an opaque cursor that carries where the last page stopped
 * (and for which ordering, so a cursor cannot be reused with another one).
 */
import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';
import { AgentError } from '../shared/errors.js';
import { DEVICE_STATES, type DeviceListQuery, type DeviceSort, type DeviceState } from './store/store.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
const SORTS = ['id', 'hostname', 'lastSeen'] as const satisfies readonly DeviceSort[];

/** What a caller may give, as text (query string or flags). */
export interface DeviceListParams {
  limit?: string;
  cursor?: string;
  sort?: string;
  /** Comma-separated states. */
  state?: string;
  platform?: string;
  /** A rule id the latest appraisal fails. */
  failing?: string;
  /** Last contact before this: an ISO time, or a duration ago (7d). */
  seenBefore?: string;
  /** Last contact at or after this: an ISO time, or a duration ago (1h). */
  seenSince?: string;
  /** Prefix of the device id, hostname or serial. */
  q?: string;
}

export interface DeviceListContext {
  now: Date;
  /** An appraisal older than this is stale. */
  maxPostureAgeMs: number;
}

function bad(message: string): AgentError {
  return new AgentError('ERR_BAD_REQUEST', message);
}

const cursorSchema = z.strictObject({ s: z.enum(SORTS), k: z.string().max(512), i: z.string().max(200) });

export function encodeCursor(sort: DeviceSort, next: { key: string; id: string }): string {
  return Buffer.from(JSON.stringify({ s: sort, k: next.key, i: next.id })).toString('base64url');
}

function decodeCursor(text: string, sort: DeviceSort): { key: string; id: string } {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw bad('cursor is not one this service gave out: pass nextCursor from the previous page unchanged.');
  }
  if (parsed.s !== sort) throw bad(`cursor belongs to a list sorted by ${parsed.s}, not ${sort}: keep the same sort while paging.`);
  if (sort === 'lastSeen' && Number.isNaN(Date.parse(parsed.k))) throw bad('cursor is damaged: start again without it.');
  return { key: parsed.k, id: parsed.i };
}

function pointInTime(name: string, text: string, now: Date): Date {
  const ago = parseDuration(text);
  if (ago !== null) return new Date(now.getTime() - ago);
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(text);
  throw bad(`${name} must be an ISO time (2026-12-01T00:00:00Z) or a duration ago (7d, 12h), not "${text}".`);
}

function states(text: string): DeviceState[] {
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(DEVICE_STATES as readonly string[]).includes(name)) throw bad(`state must be one or more of ${DEVICE_STATES.join(', ')} (comma-separated), not "${name}".`);
  }
  return names as DeviceState[];
}

export function deviceListQuery(params: DeviceListParams, context: DeviceListContext): DeviceListQuery {
  const limit = params.limit === undefined ? DEFAULT_PAGE_SIZE : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE || (params.limit !== undefined && !/^\d+$/.test(params.limit))) {
    throw bad(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, not "${params.limit}".`);
  }
  const sort = (params.sort ?? 'id') as DeviceSort;
  if (!(SORTS as readonly string[]).includes(sort)) throw bad(`sort must be one of ${SORTS.join(', ')}, not "${params.sort}".`);
  for (const [name, value] of Object.entries({ platform: params.platform, failing: params.failing, q: params.q })) {
    if (value !== undefined && value.length > 200) throw bad(`${name} is longer than 200 characters.`);
  }
  return {
    limit,
    sort,
    staleBefore: new Date(context.now.getTime() - context.maxPostureAgeMs),
    ...(params.cursor ? { after: decodeCursor(params.cursor, sort) } : {}),
    ...(params.state ? { states: states(params.state) } : {}),
    ...(params.platform ? { platform: params.platform } : {}),
    ...(params.failing ? { failing: params.failing } : {}),
    ...(params.seenBefore ? { seenBefore: pointInTime('seenBefore', params.seenBefore, context.now) } : {}),
    ...(params.seenSince ? { seenSince: pointInTime('seenSince', params.seenSince, context.now) } : {}),
    ...(params.q ? { search: params.q } : {}),
  };
}
