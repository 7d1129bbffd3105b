/**
 * The `posture-agent` command line (design §5). Commands are thin: they parse flags, call the
 * agent, and print. Everything they need from the machine is injected, so tests run them in-process.
 */
import { Command, Option } from 'commander';
import type { Host } from '../collectors/host.js';
import { getDeviceId } from '../attest/device-id.js';
import { loadPolicy } from '../agent/policy-file.js';
import { runCheck } from '../agent/run-check.js';
import { defaultStateDir, type ProcessFacts } from '../shared/app-dirs.js';
import { PRODUCT_VERSION } from '../shared/version.js';
import type { CliIo } from './cli-io.js';
import { formatCheck } from './format-check.js';
import { EXIT_NOT_COMPLIANT, EXIT_OK, runCli, type CommandOutcome } from './run-cli.js';

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

  return program;
}

export async function runAgentCli(argv: readonly string[], deps: AgentCliDeps): Promise<number> {
  const outcome: CommandOutcome = { exitCode: EXIT_OK };
  return runCli(createAgentProgram(deps, outcome), argv, deps.io, outcome);
}
