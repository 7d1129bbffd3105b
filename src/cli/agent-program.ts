/**
 * The `posture-agent` command line (design §5). Commands are thin: they parse flags, call the
 * agent, and print. Everything they need from the machine is injected, so tests run them in-process.
 * Each command imports what it uses when it runs, so a one-shot `check` never loads the daemon,
 * the local API, the service client, the logger or the token library.
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { CheckInDeps } from '../agent/check-in.js';
import type { ConfigLayer } from '../agent/config/agent-config.js';
import type { Daemon } from '../agent/daemon/daemon.js';
import type { Host } from '../collectors/host.js';
import { defaultStateDir, sharedStatusFile, type ProcessFacts } from '../shared/app-dirs.js';
import { PRODUCT_VERSION } from '../shared/version.js';
import type { CliIo } from './cli-io.js';
import { EXIT_NOT_COMPLIANT, EXIT_OK, runCli, usageError, type CommandOutcome } from './run-cli.js';

export interface AgentCliDeps {
  io: CliIo;
  createHost: () => Host;
  readRawMachineId: () => Promise<string>;
  facts: ProcessFacts;
  now?: () => Date;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM): `run` then shuts down cleanly. */
  stopSignal?: () => Promise<string>;
  /** Tells the caller the daemon is up (tests). */
  onDaemonStarted?: (daemon: Daemon) => void;
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

/** An http(s) URL without credentials, fragment or query, as the service's base URL. Messages never repeat credentials. */
export async function parseServiceUrl(text: string, flag: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const { redactUrlText } = await import('../agent/config/agent-config.js');
    throw usageError(`${flag} must be a URL such as https://posture.example.com, not "${redactUrlText(text)}".`);
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
      const [{ loadPolicy }, { runCheck }, { getDeviceId }, { cliUserSession }] = await Promise.all([
        import('../policy/policy-file.js'),
        import('../agent/run-check.js'),
        import('../attest/device-id.js'),
        import('../agent/session/session-user.js'),
      ]);
      const policy = await loadPolicy(options.policy);
      const host = deps.createHost();
      const { report, evaluation, notes } = await runCheck({
        host,
        policy,
        deviceId: () => getDeviceId({ platform: host.platform, readRawMachineId: deps.readRawMachineId }),
        stateDir: resolveStateDir(options, deps.facts),
        collect: { userSession: cliUserSession(deps.facts) },
        ...(deps.now ? { now: deps.now() } : {}),
      });
      if (options.json) deps.io.stdout(`${JSON.stringify({ ...report, evaluation }, null, 2)}\n`);
      else deps.io.stdout((await import('./format-check.js')).formatCheck(report, evaluation, deps.io.color));
      for (const note of notes) deps.io.stderr(`posture-agent: note: ${note}\n`);
      outcome.exitCode = evaluation.status === 'noncompliant' ? EXIT_NOT_COMPLIANT : EXIT_OK;
    });

  program
    .command('key')
    .description('print this device\'s public key (JWK) with its kid, the RFC 7638 thumbprint; creates the key on first use')
    .option('--rotate', 'make a new key; the current key keeps signing until the service accepts the new one')
    .addOption(stateDirOption())
    .action(async (options: { rotate?: boolean } & StateDirOption) => {
      const [{ FileKeyStore }, { loadOrCreateDeviceKeys, rotateDeviceKey }] = await Promise.all([import('../attest/file-key-store.js'), import('../attest/device-keys.js')]);
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
      const audience = await parseServiceUrl(options.audience, '--audience');
      const { isValidNonce, randomNonce } = await import('../attest/nonce.js');
      if (options.nonce !== undefined && !isValidNonce(options.nonce)) {
        throw usageError('--nonce must be 8 to 64 bytes encoded as base64url without padding.');
      }
      const [{ getDeviceId }, { loadOrCreateDeviceKeys }, { FileKeyStore }, { collectPosture }, { createEvidence }] = await Promise.all([
        import('../attest/device-id.js'),
        import('../attest/device-keys.js'),
        import('../attest/file-key-store.js'),
        import('../collectors/index.js'),
        import('../attest/evidence.js'),
      ]);
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

  async function checkInDeps(stateDir: string, server: string): Promise<CheckInDeps> {
    const [{ FileKeyStore }, { getDeviceId }, { ServiceClient }] = await Promise.all([
      import('../attest/file-key-store.js'),
      import('../attest/device-id.js'),
      import('../agent/service-client.js'),
    ]);
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
      const server = await parseServiceUrl(options.server, '--server');
      const stateDir = resolveStateDir(options, deps.facts);
      const [{ enrollDevice }, { writeEnrollment }] = await Promise.all([import('../agent/check-in.js'), import('../agent/enrollment.js')]);
      const { enrolled } = await enrollDevice(await checkInDeps(stateDir, server), options.token);
      await writeEnrollment(stateDir, { server, deviceId: enrolled.deviceId, kid: enrolled.kid, enrolledAt: enrolled.enrolledAt });
      const { appraisal } = enrolled;
      deps.io.stdout(
        `Enrolled this device (${enrolled.deviceId}) with ${server}, key ${enrolled.kid}.\n` +
          `Posture: ${appraisal.status}; tiers allowed: ${appraisal.tiers.join(', ') || 'none'}.\n`,
      );
    });

  program
    .command('submit')
    .description('one round trip to the enrolled service (challenge, Evidence, Result); prints the Result JWT once it verifies as the daemon\'s would')
    .option('--json', 'print the Result with the service\'s verdicts as JSON')
    .option('--config <file>', 'your configuration file, for resultAudience (default: config.json in the state directory)')
    .addOption(stateDirOption())
    .action(async (options: { json?: boolean; config?: string } & StateDirOption) => {
      const [{ requireEnrollment, writeEnrollment }, { loadAgentConfig }, { submitPosture }, { ServiceResultVerifier }] = await Promise.all([
        import('../agent/enrollment.js'),
        import('../agent/config/load-config.js'),
        import('../agent/check-in.js'),
        import('../agent/verify-service-result.js'),
      ]);
      const stateDir = resolveStateDir(options, deps.facts);
      const enrollment = await requireEnrollment(stateDir);
      const checkIn = await checkInDeps(stateDir, enrollment.server);
      const { config } = await loadAgentConfig({ host: checkIn.host, env: deps.facts.env, flags: {}, userConfigFile: options.config ?? join(stateDir, 'config.json') });
      const checkedIn = await submitPosture(checkIn);
      if (checkedIn.rotatedTo) {
        await writeEnrollment(stateDir, { ...enrollment, kid: checkedIn.rotatedTo });
        deps.io.stderr(`posture-agent: the service accepted the new key ${checkedIn.rotatedTo}; the old key was deleted.\n`);
      }
      const { response } = checkedIn;
      await new ServiceResultVerifier().verify(response.result, { server: enrollment.server, audience: config.resultAudience, ...(deps.now ? { now: deps.now() } : {}) });
      deps.io.stdout(options.json ? `${JSON.stringify(response, null, 2)}\n` : `${response.result}\n`);
    });

  program
    .command('cert')
    .description('obtain or renew this device\'s certificate (mTLS): the PEM files in the state directory and this user\'s certificate store (exit 0 done, 1 files written but a store failed, 2 error)')
    .option('--json', 'print the files, expiry, serial and each store\'s outcome as JSON')
    .option('--force', 'obtain a new certificate even when the current one is not due for renewal')
    .option('--config <file>', 'your configuration file, for certificateUrls (default: config.json in the state directory)')
    .addOption(stateDirOption())
    .action(async (options: { json?: boolean; force?: boolean; config?: string } & StateDirOption) => {
      const [{ requireEnrollment }, { loadAgentConfig }, { ensureCertificate }, { storesFor }] = await Promise.all([
        import('../agent/enrollment.js'),
        import('../agent/config/load-config.js'),
        import('../agent/certificate/device-certificate.js'),
        import('../agent/certificate/stores/index.js'),
      ]);
      const stateDir = resolveStateDir(options, deps.facts);
      const enrollment = await requireEnrollment(stateDir);
      const checkIn = await checkInDeps(stateDir, enrollment.server);
      const { config } = await loadAgentConfig({ host: checkIn.host, env: deps.facts.env, flags: {}, userConfigFile: options.config ?? join(stateDir, 'config.json') });
      const { outcome: result, renewed } = await ensureCertificate({
        stateDir,
        checkIn,
        stores: storesFor({ host: checkIn.host, home: deps.facts.home, deviceId: enrollment.deviceId, identityUrls: config.certificateUrls }),
        now: deps.now?.() ?? new Date(),
        force: options.force === true,
        installWhenCurrent: true,
      });
      if (options.json) {
        deps.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        deps.io.stdout(
          `${renewed === null ? 'The device certificate is current' : 'New device certificate'}: serial ${result.serial}, expires ${result.expiresAt}, the agent renews it from ${result.renewAt}.\n` +
            `  certificate ${result.certificateFile}\n  key         ${result.keyFile}\n  CA bundle   ${result.caFile}\n` +
            result.stores.filter((store) => store.installed).map((store) => `  installed in ${store.store}\n`).join(''),
        );
      }
      for (const store of result.stores) {
        if (!store.installed) deps.io.stderr(`posture-agent: ${store.error.code}: ${store.error.message}\n`);
      }
      if (result.stores.some((store) => !store.installed)) outcome.exitCode = EXIT_NOT_COMPLIANT;
    });

  program
    .command('run')
    .description('the daemon: checks on an interval, delivers to the policy service, and serves the local API (stop with Ctrl-C or SIGTERM)')
    .option('--interval <seconds>', 'seconds between checks (default 300; managed configuration wins)', positiveSeconds)
    .option('--server <url>', 'the policy service (default: from the configuration)')
    .option('--config <file>', 'your configuration file (default: config.json in the state directory)')
    .option(
      '--share-status [file]',
      `for a daemon run by the system: let every local user's tray app read the status and ask for a check (never the Result), through this file (default ${sharedStatusFile(deps.facts.platform, deps.facts.env)})`,
    )
    .addOption(stateDirOption())
    .action(async (options: { interval?: number; server?: string; config?: string; shareStatus?: string | true } & StateDirOption) => {
      const stateDir = resolveStateDir(options, deps.facts);
      const shared = options.shareStatus === true ? sharedStatusFile(deps.facts.platform, deps.facts.env) : options.shareStatus;
      const flags: Record<string, ConfigLayer> = {};
      if (options.interval !== undefined) flags['--interval'] = { checkIntervalSeconds: options.interval };
      if (options.server !== undefined) flags['--server'] = { serviceUrl: await parseServiceUrl(options.server, '--server') };
      const { createDaemon } = await import('../agent/daemon/create-daemon.js');
      const { daemon, logFile } = await createDaemon({
        stateDir,
        env: deps.facts.env,
        host: deps.createHost(),
        readRawMachineId: deps.readRawMachineId,
        flags,
        userConfigFile: options.config ?? join(stateDir, 'config.json'),
        log: { file: 'agent.log', service: 'posture-agent' },
        ...(deps.now ? { now: deps.now } : {}),
        ...(shared === undefined ? {} : { sharedStatusFile: shared }),
      });
      await daemon.start();
      deps.io.stderr(`posture-agent: daemon running; local API ${daemon.localApiUrl}; logs in ${logFile.path}. Stop with Ctrl-C.\n`);
      deps.onDaemonStarted?.(daemon);
      await (deps.stopSignal ?? (() => new Promise<string>(() => undefined)))();
      await daemon.stop();
    });

  program
    .command('status')
    .description('ask the running daemon for its state (exit 0 compliant, 1 not compliant, unknown or offline, 2 no daemon)')
    .option('--json', 'print the status as JSON')
    .addOption(stateDirOption())
    .action(async (options: { json?: boolean } & StateDirOption) => {
      const [{ LocalApiClient }, { formatStatus }] = await Promise.all([import('../api/local-api-client.js'), import('./format-status.js')]);
      const client = await LocalApiClient.fromStateDir(resolveStateDir(options, deps.facts));
      const status = await client.status();
      deps.io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, deps.io.color));
      outcome.exitCode = status.state === 'compliant' || status.state === 'warning' ? EXIT_OK : EXIT_NOT_COMPLIANT;
    });

  return program;
}

function positiveSeconds(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 86_400) throw usageError(`--interval must be a whole number of seconds from 1 to 86400, not "${text}".`);
  return Number(text);
}

export async function runAgentCli(argv: readonly string[], deps: AgentCliDeps): Promise<number> {
  const outcome: CommandOutcome = { exitCode: EXIT_OK };
  return runCli(createAgentProgram(deps, outcome), argv, deps.io, outcome);
}
