/**
 * A tiny CommandHost for endpoint tests (the real one is the fleet's simulated Windows host):
 * `hostname`, `whoami`, `echo`, `more` (stdin → stdout), `env NAME`, `sleep MS`, `fail CODE`
 * (writes to stderr and exits with CODE), `flood BYTES`; anything else exits 1 like cmd.exe.
 */
import { PassThrough } from 'node:stream';
import { NO_FAULTS, type CommandContext, type CommandHost, type HostFaults, type SimProcess } from '../contracts.ts';
import type { EndpointHost } from './endpoints.ts';

export interface RecordedSpawn { commandLine: string; context: CommandContext; terminated: boolean }

export class TestingCommandHost implements CommandHost {
  readonly spawned: RecordedSpawn[] = [];
  constructor(private readonly name: string) {}

  spawn(commandLine: string, context: CommandContext): SimProcess {
    const record: RecordedSpawn = { commandLine, context, terminated: false };
    this.spawned.push(record);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let settle: (code: number) => void = () => undefined;
    const exit = new Promise<number>((resolve) => { settle = resolve; });
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      stdout.end();
      stderr.end();
      Promise.all([new Promise((r) => stdout.once('end', r)), new Promise((r) => stderr.once('end', r))]).then(() => settle(code));
      stdout.resume();
      stderr.resume();
    };
    let timer: NodeJS.Timeout | undefined;
    const [cmd = '', ...args] = commandLine.trim().split(/\s+/);
    switch (cmd.toLowerCase()) {
      case 'hostname': stdout.write(`${this.name}\r\n`); finish(0); break;
      case 'whoami': stdout.write(`${this.name.toLowerCase()}\\${context.user}\r\n`); finish(0); break;
      case 'echo': stdout.write(`${args.join(' ')}\r\n`); finish(0); break;
      case 'env': stdout.write(`${context.env?.[args[0] ?? ''] ?? ''}\r\n`); finish(0); break;
      case 'more':
        stdin.on('data', (d: Buffer) => stdout.write(d));
        stdin.on('end', () => finish(0));
        break;
      case 'sleep': timer = setTimeout(() => { stdout.write('slept\r\n'); finish(0); }, Number(args[0] ?? 1000)); break;
      case 'fail': stderr.write('something failed\r\n'); finish(Number(args[0] ?? 1)); break;
      case 'flood': stdout.write(Buffer.alloc(Number(args[0] ?? 1000), 'x')); finish(0); break;
      default:
        stderr.write(`'${cmd}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`);
        finish(1);
    }
    return {
      stdin, stdout, stderr, exit,
      terminate: () => { record.terminated = true; if (timer) clearTimeout(timer); finish(1); },
    };
  }
}

export function testingHost(name: string, cluster: string | null = null): EndpointHost & { commands: TestingCommandHost } {
  const faults: HostFaults = { ...NO_FAULTS, operations: {} };
  return { name, cluster, commands: new TestingCommandHost(name), faults, up: false };
}
