/**
 * A HostTransport whose "host" is the real pwsh on this machine: it runs the exact command line
 * the server built (`powershell.exe … -EncodedCommand <base64 of the loader>`) with the exact
 * stdin (the script's base64 line, then the JSON input), so the loader and the bootstrap scripts
 * run as a Hyper-V host would run them. Only the host's C: drive is replaced: it is a FileSystem
 * PSDrive onto a temporary folder (the project's rule for running host scripts on Linux), mapped
 * by one line put in front of the decoded loader (the drive is global, so the script it runs
 * sees it too).
 */
import { spawn } from 'node:child_process';
import { pwshPath } from '../support/pester.ts';
import type { HostTransport, RunCommandOptions, RunCommandResult } from '../../server/src/remoting/transport.ts';

const POWERSHELL = 'powershell.exe';
const DRIVE_MAP = '$null = New-PSDrive -Name C -PSProvider FileSystem -Root $env:AETHERV_TEST_HOST_C -Scope Global\n';

export interface PwshHostRun {
  /** The loader the server sent, decoded from -EncodedCommand. */
  loader: string;
  /** The bootstrap script the server sent, decoded from stdin's first line. */
  script: string;
  stdin: string;
  stderr: string;
}

export class PwshHost implements HostTransport {
  readonly kind = 'ssh' as const;
  readonly runs: PwshHostRun[] = [];

  /** `cDrive` is the folder that stands for the host's C:\. */
  constructor(readonly host: string, private readonly cDrive: string) {}

  async run(options: RunCommandOptions): Promise<RunCommandResult> {
    const [executable, ...args] = options.command.split(' ');
    const at = args.indexOf('-EncodedCommand');
    if (executable !== POWERSHELL || at < 0 || at !== args.length - 2) throw new Error(`not a bootstrap command line: ${options.command.slice(0, 120)}`);
    const loader = Buffer.from(args[at + 1] ?? '', 'base64').toString('utf16le');
    args[at + 1] = Buffer.from(DRIVE_MAP + loader, 'utf16le').toString('base64');
    const stdin = options.stdin === undefined ? '' : String(options.stdin);
    const script = Buffer.from(stdin.split('\n', 1)[0] ?? '', 'base64').toString('utf8');
    // cwd: a path a script wrongly gives .NET lands in the temporary folder, never in the repository.
    const child = spawn(pwshPath(), args, { cwd: this.cDrive, env: { ...process.env, AETHERV_TEST_HOST_C: this.cDrive }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stdout += text;
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        options.onStdoutLine?.(pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? -1));
      child.stdin.end(stdin);
    });
    if (pending !== '') options.onStdoutLine?.(pending);
    this.runs.push({ loader, script, stdin, stderr });
    return { exitCode, stdout, stderr };
  }

  async close(): Promise<void> {}
}
