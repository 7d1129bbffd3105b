/**
 * Runs a commander program and turns every outcome into an exit code and at most one line on
 * stderr: usage mistakes and AgentErrors say what to do, with their ERR_* code, never a stack.
 */
import { CommanderError, type Command } from 'commander';
import { AgentError, isAgentError, messageOf } from '../shared/errors.js';
import type { CliIo } from './cli-io.js';

export const EXIT_OK = 0;
export const EXIT_NOT_COMPLIANT = 1;
export const EXIT_ERROR = 2;

/** A command's result: its exit code. Commands return it; runCli returns it. */
export interface CommandOutcome {
  exitCode: number;
}

/** The command a usage error happened in, so the hint can name its --help. */
const commandPathOf = new WeakMap<CommanderError, string>();

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}

function firstLine(text: string): string {
  return text.replace(/^error:\s*/i, '').split('\n')[0]!.trim();
}

export function reportError(io: CliIo, programName: string, error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
    const where = commandPathOf.get(error) ?? programName;
    io.stderr(`${programName}: ${firstLine(error.message)} [ERR_USAGE]. Run "${where} --help" for usage.\n`);
    return EXIT_ERROR;
  }
  if (isAgentError(error)) {
    io.stderr(`${programName}: ${error.message} [${error.code}]\n`);
    return EXIT_ERROR;
  }
  io.stderr(`${programName}: internal error: ${messageOf(error)} [ERR_INTERNAL]. Please report this.\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return EXIT_ERROR;
}

/** Makes commander report through `io` and throw instead of exiting, on the program and all its commands. */
export function routeOutput(program: Command, io: CliIo): void {
  const configure = (command: Command) => {
    command.exitOverride((error) => {
      if (!commandPathOf.has(error)) commandPathOf.set(error, commandPath(command));
      throw error;
    });
    command.configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text), outputError: () => undefined });
    command.showHelpAfterError(false);
    command.commands.forEach(configure);
  };
  configure(program);
}

export async function runCli(program: Command, argv: readonly string[], io: CliIo, outcome: CommandOutcome): Promise<number> {
  routeOutput(program, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    return reportError(io, program.name(), error, Boolean(process.env['POSTURE_DEBUG']));
  }
}

export function usageError(message: string): AgentError {
  return new AgentError('ERR_USAGE', message);
}
