/**
 * SIGHUP: the service reads its policy file, its signing keys and its device CA again and keeps serving. A
 * policy that does not load is logged and the running one stays in force; so do the keys.
 * Reloads run one at a time, so the last signal always wins.
 */
import type { FastifyBaseLogger } from 'fastify';
import { loadPolicy } from '../policy/policy-file.js';
import { isAgentError, messageOf } from '../shared/errors.js';
import type { AuthzEngine } from './authz.js';
import type { DeviceCa } from './device-ca.js';
import type { PostureService } from './posture-service.js';
import type { ServiceKeys } from './service-keys.js';

export interface ReloadTargets {
  policyFile: string | undefined;
  service: PostureService;
  authz: AuthzEngine;
  keys: ServiceKeys;
  deviceCa: DeviceCa;
  log: FastifyBaseLogger;
}

function failure(error: unknown): { code: string; message: string } {
  return { code: isAgentError(error) ? error.code : 'ERR_INTERNAL', message: messageOf(error) };
}

/** Reloads once; resolves true when the policy, the keys and the device CA all loaded (never rejects). */
async function reloadOnce(targets: ReloadTargets): Promise<boolean> {
  const { service, authz, keys, deviceCa, log } = targets;
  let complete = true;
  try {
    const policy = await loadPolicy(targets.policyFile);
    service.setPolicy(policy);
    authz.setTiers(Object.keys(policy.tiers));
  } catch (error) {
    complete = false;
    log.error(failure(error), 'reload: the policy could not be loaded; the previous one stays in force');
  }
  try {
    await keys.reloadIfChanged();
  } catch (error) {
    complete = false;
    log.error(failure(error), 'reload: the signing keys could not be loaded; the previous ones stay in use');
  }
  try {
    await deviceCa.reloadIfChanged();
  } catch (error) {
    complete = false;
    log.error(failure(error), 'reload: the device CA could not be loaded; the previous one stays in use');
  }
  const policy = service.policy;
  const inForce = { policy: `${policy.id}@${policy.version}`, signingKey: keys.signing.kid, keys: keys.jwks().keys.map((key) => key.kid), deviceCa: deviceCa.subject };
  log.info(inForce, complete ? 'reloaded' : 'reload incomplete');
  return complete;
}

export function createReloader(targets: ReloadTargets): () => Promise<boolean> {
  let last: Promise<boolean> = Promise.resolve(true);
  return () => (last = last.then(() => reloadOnce(targets)));
}
