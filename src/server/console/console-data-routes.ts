/**
 * The read APIs behind the console's pages (and any script): GET /v1/overview, GET /v1/policy,
 * GET /v1/devices.csv, GET /v1/devices/{id}/timeline, and PUT /v1/devices/{id}/owner. Each
 * answers from one or two indexed queries; the 30-day chart reads the daily counts table that
 * FleetDailyRecorder keeps, started and stopped with the app.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CHECKS } from '../../policy/checks/index.js';
import { formatPath } from '../../policy/parse-policy.js';
import { AgentError } from '../../shared/errors.js';
import type { DeviceListParams } from '../device-list-params.js';
import type { Actor, DeviceDirectory } from '../device-directory.js';
import type { PostureService } from '../posture-service.js';
import { DEVICE_STATES, type ApiKeyRole, type DeviceState, type Store } from '../store/store.js';
import { deviceCsv } from './devices-csv.js';
import { FleetDailyRecorder, utcDay } from './fleet-daily.js';

export interface ConsoleDataDeps {
  store: Store;
  devices: DeviceDirectory;
  service: Pick<PostureService, 'policy'>;
  requireRole: (request: FastifyRequest, roles: readonly ApiKeyRole[]) => Promise<Actor>;
}

const DAY_MS = 86_400_000;
const CHART_DAYS = 30;
const NOT_SEEN_SHOWN = 10;
const TOP_FAILING_RULES = 10;
const CSV_PAGE = '1000';
const CSV_PARAMETERS = ['sort', 'state', 'platform', 'failing', 'seenBefore', 'seenSince', 'q'] as const;
const ownerBodySchema = z.strictObject({ owner: z.string().trim().min(1).max(200).nullable() });
const timelineQuerySchema = z.strictObject({
  limit: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(200)).optional(),
  cursor: z.string().regex(/^\d{1,15}$/, 'must be nextCursor from the previous page').transform(Number).optional(),
});

function bad(message: string): AgentError {
  return new AgentError('ERR_BAD_REQUEST', message);
}

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw bad(`The ${what} is not valid: ${issues.join('; ')}.`);
}

/** The fleet list's filters (not its paging: the export has every matching device), each given once. */
function csvParams(query: Record<string, unknown>): DeviceListParams {
  const params: Record<string, string> = { limit: CSV_PAGE };
  for (const [name, value] of Object.entries(query)) {
    if (!(CSV_PARAMETERS as readonly string[]).includes(name)) {
      throw bad(`Unknown query parameter "${name}"; the export takes ${CSV_PARAMETERS.join(', ')} and always has every matching device.`);
    }
    if (typeof value !== 'string') throw bad(`Give the query parameter "${name}" once.`);
    params[name] = value;
  }
  return params;
}

function ruleTitle(check: string): string {
  return CHECKS.get(check)?.title ?? check;
}

export function registerConsoleDataRoutes(app: FastifyInstance, deps: ConsoleDataDeps): void {
  const { store, devices, service, requireRole } = deps;
  const recorder = new FleetDailyRecorder(store, {
    clock: () => devices.now(),
    staleBefore: () => devices.staleBefore(),
    onError: (error) => app.log.warn({ err: error }, 'could not record the fleet\'s daily counts'),
  });
  app.addHook('onReady', (done) => {
    recorder.start();
    done();
  });
  app.addHook('onClose', async () => recorder.stop());

  app.get('/v1/overview', async (request) => {
    await requireRole(request, ['admin']);
    const now = devices.now();
    const staleBefore = devices.staleBefore();
    const policy = service.policy;
    const [counts, failing, days, notSeen] = await Promise.all([
      store.countDevicesByState(staleBefore),
      store.rankFailingRules({ policyId: policy.id, limit: TOP_FAILING_RULES }),
      store.listFleetDays(utcDay(new Date(now.getTime() - (CHART_DAYS - 1) * DAY_MS))),
      devices.list({ state: 'stale,unappraised', seenBefore: staleBefore.toISOString(), sort: 'lastSeen', limit: String(NOT_SEEN_SHOWN) }),
    ]);
    const today = utcDay(now);
    const rules = new Map(policy.rules.map((rule) => [rule.id, rule]));
    return {
      generatedAt: now.toISOString(),
      policy: `${policy.id}@${policy.version}`,
      total: DEVICE_STATES.reduce((sum, state) => sum + counts.states[state], 0),
      states: counts.states,
      failingRules: failing.map(({ ruleId, devices: affected }) => {
        const rule = rules.get(ruleId);
        return { id: ruleId, title: rule ? ruleTitle(rule.check) : ruleId, severity: rule?.severity ?? null, devices: affected };
      }),
      // Today's point is live; earlier days are as the recorder last wrote them.
      compliance: [...days.filter((day) => day.day !== today), { day: today, counts: counts.states }],
      notSeen: { count: counts.notSeen, since: staleBefore.toISOString(), devices: notSeen.devices },
    };
  });

  app.get('/v1/policy', async (request) => {
    await requireRole(request, ['admin']);
    const policy = service.policy;
    const failing = await store.rankFailingRules({ policyId: policy.id, limit: policy.rules.length + 1 });
    const failingBy = new Map(failing.map((rule) => [rule.ruleId, rule.devices]));
    return {
      policy: {
        id: policy.id,
        version: policy.version,
        ref: `${policy.id}@${policy.version}`,
        description: policy.description ?? null,
        gracePeriodSeconds: Math.round(policy.gracePeriodMs / 1000),
        rules: policy.rules.map((rule) => ({
          id: rule.id,
          check: rule.check,
          title: ruleTitle(rule.check),
          severity: rule.severity,
          description: rule.description ?? null,
          failingDevices: failingBy.get(rule.id) ?? 0,
        })),
        tiers: policy.tiers,
      },
    };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/v1/devices.csv', async (request, reply) => {
    await requireRole(request, ['admin']);
    const params = csvParams(request.query);
    // The first page before any byte is sent: a bad filter is still a JSON error.
    const first = await devices.list(params);
    const rows = deviceCsv(first, (cursor) => devices.list({ ...params, cursor }));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="devices-${utcDay(devices.now())}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(rows));
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/v1/devices/:id/timeline', async (request) => {
    await requireRole(request, ['admin']);
    const { limit = 50, cursor } = parse(timelineQuerySchema, request.query, 'query');
    const id = request.params.id;
    const rows = await store.listDeviceHistory(id, { limit: limit + 1, ...(cursor === undefined ? {} : { beforeSeq: cursor }) });
    if (rows.length === 0 && cursor === undefined && (await store.getDevice(id)) === null) {
      throw new AgentError('ERR_DEVICE_UNKNOWN', `No device ${id} is enrolled.`);
    }
    const page = rows.slice(0, limit);
    return {
      entries: page.map((entry, index) => {
        const previous: DeviceState | null = rows[index + 1]?.status ?? null;
        return {
          at: entry.at.toISOString(),
          status: entry.status,
          previousStatus: previous,
          statusChanged: previous !== entry.status,
          policy: entry.policy,
          tiers: entry.tiers,
          failing: entry.failing,
        };
      }),
      nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null,
    };
  });

  app.put<{ Params: { id: string } }>('/v1/devices/:id/owner', async (request) => {
    const actor = await requireRole(request, ['admin']);
    const { owner } = parse(ownerBodySchema, request.body, 'request body');
    return { owner: await devices.setOwner(request.params.id, owner, actor) };
  });
}
