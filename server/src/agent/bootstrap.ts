/**
 * Runs the scripts that must work before the agent is installed (version check, push staging,
 * install): the command line is always the fixed loader (-EncodedCommand, bootstrap-loader.ts);
 * stdin carries the script file as it is (base64 on the first line) and then its input as JSON,
 * and the script answers with the agent's NDJSON envelope (result id null). Same limits, breaker
 * and retries as agent operations.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import type { AgentCallOptions, AgentClient } from './client.ts';
import { transportTimeoutMs } from './client.ts';
import { bootstrapStdin } from './bootstrap-loader.ts';
import { bootstrapLoaderCommand, COMMAND_LINE_LIMIT } from './command.ts';
import { operationFailed, type ResponseContext } from './protocol.ts';
import type { BootstrapScriptMap } from './types.generated.ts';
import { sharedContractValidator, type ContractValidator } from './validation.ts';

export type BootstrapScriptName = keyof BootstrapScriptMap;
export type BootstrapParams<S extends BootstrapScriptName> = BootstrapScriptMap[S]['params'];
export type BootstrapResult<S extends BootstrapScriptName> = BootstrapScriptMap[S]['result'];

export const BOOTSTRAP_DIRECTORY = fileURLToPath(new URL('../../../Powershell/bootstrap/', import.meta.url));
// Exactly the prefix the loader checks before it runs a script (bootstrap-loader.ts).
const MARKER = /^# aetherv-bootstrap:\s*([a-z]+)\s*$/;

/** Finds each script by its first-line marker (`# aetherv-bootstrap: version`), whatever the file is called. */
export async function loadBootstrapScripts(directory = BOOTSTRAP_DIRECTORY): Promise<Map<string, string>> {
  const scripts = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    throw new AppError('INTERNAL', `Cannot read the bootstrap scripts in ${directory}: ${(error as Error).message}`, { cause: error });
  }
  for (const name of names.filter((n) => n.toLowerCase().endsWith('.ps1')).sort()) {
    const text = (await readFile(join(directory, name), 'utf8')).replace(/^\uFEFF/, '');
    const marker = MARKER.exec(text.split(/\r?\n/, 1)[0] ?? '');
    if (marker?.[1]) scripts.set(marker[1], text);
  }
  return scripts;
}

export interface BootstrapRunnerOptions {
  client: AgentClient;
  /** Which transport carries the command, for the command-line length limit. */
  transportKind: (host: string) => 'winrm' | 'ssh';
  directory?: string;
  validator?: ContractValidator | null;
}

export class BootstrapRunner {
  private scripts: Promise<Map<string, string>> | undefined;
  private readonly validator: Promise<ContractValidator | null>;

  constructor(private readonly options: BootstrapRunnerOptions) {
    this.validator = options.validator === undefined ? sharedContractValidator() : Promise.resolve(options.validator);
  }

  async run<S extends BootstrapScriptName>(host: string, script: S, params: BootstrapParams<S>, options: AgentCallOptions = {}): Promise<BootstrapResult<S>> {
    const validator = await this.validator;
    validator?.checkBootstrapParams(script, params);
    const { command, text } = await this.command(host, script);
    const stdin = bootstrapStdin(text, JSON.stringify(params));
    const deadlineSeconds = options.deadlineSeconds ?? 120;
    const context: ResponseContext = { host, operation: `bootstrap ${script}`, expectedId: null };
    const client = this.options.client;
    const result = await client.guarded(host, context.operation, options, async () => {
      const outcome = await client.exchange(host, command, stdin, context, options, transportTimeoutMs(deadlineSeconds));
      if (!outcome.ok) throw operationFailed(context, outcome.error);
      return outcome.result;
    });
    const problems = validator?.bootstrapResultProblems(script, result) ?? [];
    if (problems.length > 0) {
      throw new AppError('AGENT_TRANSPORT', `The ${script} bootstrap script on ${host} answered with a result that does not match the contract: ${problems.slice(0, 5).join('; ')}`, {
        retryable: false,
        details: { host, script, errors: problems },
      });
    }
    return result as BootstrapResult<S>;
  }

  private async command(host: string, script: string): Promise<{ command: string; text: string }> {
    this.scripts ??= loadBootstrapScripts(this.options.directory);
    const scripts = await this.scripts.catch((error: unknown) => {
      this.scripts = undefined;
      throw error;
    });
    const text = scripts.get(script);
    if (text === undefined) throw new AppError('INTERNAL', `No bootstrap script marked "# aetherv-bootstrap: ${script}" in ${this.options.directory ?? BOOTSTRAP_DIRECTORY}`);
    // The script is on stdin, so its size never reaches the command line; the loader's own
    // length is fixed (a test keeps it well under cmd.exe's limit) and checked here all the same.
    const command = bootstrapLoaderCommand();
    const kind = this.options.transportKind(host);
    if (command.length > COMMAND_LINE_LIMIT[kind]) {
      throw new AppError('INTERNAL', `The bootstrap loader makes a ${command.length}-character command line, over the ${COMMAND_LINE_LIMIT[kind]} Windows allows over ${kind}`);
    }
    return { command, text };
  }
}
