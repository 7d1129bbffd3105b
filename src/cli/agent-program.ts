/**
 * The `posture-agent` command line (design §5). Commands are thin: they parse flags, call the
 * agent, and print. Everything they need from the machine is injected, so tests run them in-process.
 */
import { Command, Option } from 'commander';
import type { Host } from '../collectors/host.js';
import { getDeviceId } from '../attest/device-id.js';
import { loadOrCreateDeviceKeys, rotateDeviceKey } from '../attest/device-keys.js';
import { createEvidence } from '../attest/evidence.js';
import { FileKeyStore } from '../attest/file-key-store.js';
import { isValidNonce, randomNonce } from '../attest/nonce.js';
import { collectPosture } from '../collectors/index.js';
import { enrollDevice, submitPosture, type CheckInDeps } from '../agent/check-in.js';
import { requireEnrollment, writeEnrollment } from '../agent/enrollment.js';
import { ServiceClient } from '../agent/service-client.js';
import { loadPolicy } from '../agent/policy-file.js';
import { runCheck } from '../agent/run-check.js';
import { defaultStateDir, type ProcessFacts } from '../shared/app-dirs.js';
import { PRODUCT_VERSION } from '../shared/version.js';
import type { CliIo } from './cli-io.js';
import { formatCheck } from './format-check.js';
import { EXIT_NOT_COMPLIANT, EXIT_OK, runCli, usageError, type CommandOutcome } from './run-cli.js';

export interface AgentCliDeps {
  io: CliIo;
  createHost: () => Host;
  readRawMachineId: () => Promise<string>;
  facts: ProcessFacts;
  now?: () => Date;
}

interface StateDirOption {
  stateDir?: string;
}

function stateDirOption(): Option {
  return new Option('--state-dir <dir>', 'where the device key, enrolment and state live').env('POSTURE_AGENT_STATE_DIR');
}

export function resolveStateDir(options: StateDirOption, facts: ProcessFacts): string {
  return options.stateDir ?? defaultStateDir(facts);
}

/** An http(s) URL without credentials, fragment or query, as the service's base URL. */
export function parseServiceUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`${flag} must be a URL such as https://posture.example.com, not "${text}".`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw usageError(`${flag} must be an http(s) URL without credentials, query or fragment.`);
  }
  return url.href.replace(/\/$/, '');
}

export function createAgentProgram(deps: AgentCliDeps, outcome: CommandOutcome): Command {
  const program = new Command('posture-agent')
    .description('Posture Agent: checks this device against the company policy and proves it with signed Evidence.')
    .version(PRODUCT_VERSION, '-V, --version')
    .helpCommand(false);

  program
    .command('check')
    .description('collect this device\'s posture and judge it against the policy (exit 0 compliant, 1 not compliant, 2 error)')
    .option('--json', 'print the posture report and the verdicts as one JSON object')
    .option('--policy <file>', 'policy file (YAML or JSON); default: the built-in policy')
    .addOption(stateDirOption())
    .action(async (options: { json?: boolean; policy?: string } & StateDirOption) => {
      const policy = await loadPolicy(options.policy);
      const host = deps.createHost();
      const { report, evaluation, notes } = await runCheck({
        host,
        policy,
        deviceId: () => getDeviceId({ platform: host.platform, readRawMachineId: deps.readRawMachineId }),
        stateDir: resolveStateDir(options, deps.facts),
        ...(deps.now ? { now: deps.now() } : {}),
      });
      if (options.json) deps.io.stdout(`${JSON.stringify({ ...report, evaluation }, null, 2)}\n`);
      else deps.io.stdout(formatCheck(report, evaluation, deps.io.color));
      for (const note of notes) deps.io.stderr(`posture-agent: note: ${note}\n`);
      outcome.exitCode = evaluation.status === 'noncompliant' ? EXIT_NOT_COMPLIANT : EXIT_OK;
    });

  program
    .command('key')
    .description('print this device\'s public key (JWK) with its kid, the RFC 7638 thumbprint; creates the key on first use')
    .option('--rotate', 'make a new key; the current key keeps signing until the service accepts the new one')
    .addOption(stateDirOption())
    .action(async (options: { rotate?: boolean } & StateDirOption) => {
      const store = new FileKeyStore(resolveStateDir(options, deps.facts));
      const now = deps.now?.() ?? new Date();
      if (options.rotate) {
        const keys = await rotateDeviceKey(store, now);
        deps.io.stdout(`${JSON.stringify(keys.pending!.publicJwk, null, 2)}\n`);
        deps.io.stderr(`posture-agent: new key ${keys.pending!.kid} made; key ${keys.active.kid} keeps signing until the service accepts the new one.\n`);
        return;
      }
      const keys = await loadOrCreateDeviceKeys(store, now);
      deps.io.stdout(`${JSON.stringify(keys.active.publicJwk, null, 2)}\n`);
      if (keys.pending) deps.io.stderr(`posture-agent: key ${keys.pending.kid} is waiting for the service to accept it.\n`);
    });

  program
    .command('attest')
    .description('collect this device\'s posture and print it as signed Evidence (an EAT JWT, design §3)')
    .requiredOption('--audience <url>', 'the policy service\'s base URL the Evidence is meant for')
    .option('--nonce <b64url>', 'the service\'s challenge: 8 to 64 bytes of base64url (default: a random one, for tests and demos)')
    .addOption(stateDirOption())
    .action(async (options: { audience: string; nonce?: string } & StateDirOption) => {
      const audience = parseServiceUrl(options.audience, '--audience');
      if (options.nonce !== undefined && !isValidNonce(options.nonce)) {
        throw usageError('--nonce must be 8 to 64 bytes encoded as base64url without padding.');
      }
      const host = deps.createHost();
      const now = deps.now?.() ?? new Date();
      const [deviceId, keys] = await Promise.all([
        getDeviceId({ platform: host.platform, readRawMachineId: deps.readRawMachineId }),
        loadOrCreateDeviceKeys(new FileKeyStore(resolveStateDir(options, deps.facts)), now),
      ]);
      const posture = await collectPosture(host, { deviceId, now });
      const evidence = await createEvidence({ key: keys.active, deviceId, audience, nonce: options.nonce ?? randomNonce(), posture, now });
      deps.io.stdout(`${evidence}\n`);
    });

  function checkInDeps(stateDir: string, server: string): CheckInDeps {
    const host = deps.createHost();
    return {
      host,
      keyStore: new FileKeyStore(stateDir),
      deviceId: () => getDeviceId({ platform: host.platform, readRawMachineId: deps.readRawMachineId }),
      client: new ServiceClient({ baseUrl: server }),
      ...(deps.now ? { now: deps.now } : {}),
    };
  }

  program
    .command('enroll')
    .description('enrol this device with the policy service, using an enrolment token from IT')
    .requiredOption('--server <url>', 'the policy service\'s base URL')
    .addOption(new Option('--token <token>', 'the enrolment token (posture-service token create)').env('POSTURE_AGENT_ENROLLMENT_TOKEN').makeOptionMandatory())
    .addOption(stateDirOption())
    .action(async (options: { server: string; token: string } & StateDirOption) => {
      const server = parseServiceUrl(options.server, '--server');
      const stateDir = resolveStateDir(options, deps.facts);
      const { enrolled } = await enrollDevice(checkInDeps(stateDir, server), options.token);
      await writeEnrollment(stateDir, { server, deviceId: enrolled.deviceId, kid: enrolled.kid, enrolledAt: enrolled.enrolledAt });
      const { appraisal } = enrolled;
      deps.io.stdout(
        `Enrolled this device (${enrolled.deviceId}) with ${server}, key ${enrolled.kid}.\n` +
          `Posture: ${appraisal.status}; tiers allowed: ${appraisal.tiers.join(', ') || 'none'}.\n`,
      );
    });

  program
    .command('submit')
    .description('one round trip to the enrolled service (challenge, Evidence, Result); prints the Result JWT')
    .option('--json', 'print the Result with the service\'s verdicts as JSON')
    .addOption(stateDirOption())
    .action(async (options: { json?: boolean } & StateDirOption) => {
      const stateDir = resolveStateDir(options, deps.facts);
      const enrollment = await requireEnrollment(stateDir);
      const checkedIn = await submitPosture(checkInDeps(stateDir, enrollment.server));
      if (checkedIn.rotatedTo) {
        await writeEnrollment(stateDir, { ...enrollment, kid: checkedIn.rotatedTo });
        deps.io.stderr(`posture-agent: the service accepted the new key ${checkedIn.rotatedTo}; the old key was deleted.\n`);
      }
      const { response } = checkedIn;
      deps.io.stdout(options.json ? `${JSON.stringify(response, null, 2)}\n` : `${response.result}\n`);
    });

  return program;
}

export async function runAgentCli(argv: readonly string[], deps: AgentCliDeps): Promise<number> {
  const outcome: CommandOutcome = { exitCode: EXIT_OK };
  return runCli(createAgentProgram(deps, outcome), argv, deps.io, outcome);
}
