/**
 * The `aetherv` command. Each subcommand lives in its own module; this file only dispatches.
 */
import { existsSync } from 'node:fs';
import { buildInfo } from '../version.ts';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  start: {
    summary: 'Run the orchestrator (HTTP API, web UI, services); configured by environment variables or .env',
    run: async (argv) => {
      if (argv.includes('--help')) {
        process.stdout.write('Usage: aetherv start\n\nConfiguration comes from environment variables (see .env.example). With no HYPERV_HOSTS it manages the embedded simulated laboratory.\n');
        return 0;
      }
      const { startServer } = await import('../main.ts');
      await startServer(process.env);
      return -1; // keep running until a signal
    },
  },
  doctor: {
    summary: 'Check, step by step, that a Hyper-V host can be reached and managed (aetherv doctor <host> --help)',
    run: async (argv) => {
      const { runDoctor } = await import('./doctor.ts');
      return runDoctor(argv, process.env, (line) => process.stdout.write(`${line}\n`));
    },
  },
  vm: {
    summary: 'List, show, create, start, stop and delete VMs on a running orchestrator (aetherv vm --help)',
    run: async (argv) => {
      const { runVmCli } = await import('./vm.ts');
      return runVmCli(argv, cliIo());
    },
  },
  job: {
    summary: 'List, show, watch and cancel jobs on a running orchestrator (aetherv job --help)',
    run: async (argv) => {
      const { runJobCli } = await import('./job.ts');
      return runJobCli(argv, cliIo());
    },
  },
  version: {
    summary: 'Print the version',
    run: async () => {
      const { version, commit } = buildInfo();
      process.stdout.write(`aetherv-orchestrator ${version}${commit ? ` (${commit.slice(0, 12)})` : ''}\n`);
      return 0;
    },
  },
};

const cliIo = () => ({ out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`), env: process.env });

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: aetherv <command> [options]\n\nCommands:\n${lines.join('\n')}\n  ${'help'.padEnd(width)}  Show this help\n\nRun 'aetherv <command> --help' for a command's options.\n`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') return commands.version!.run([]);
  const command = commands[name];
  if (!command) {
    process.stderr.write(`aetherv: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

// Development convenience: a .env file in the working directory is read (real variables win).
if (existsSync('.env')) process.loadEnvFile('.env');

const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exit(code);
