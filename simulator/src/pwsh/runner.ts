/**
 * Runs one powershell.exe call of a simulated host in the real pwsh: the same arguments, but
 * through Enter-SimulatedHost.ps1, which maps the host's C: drive and then runs the agent file
 * or the -EncodedCommand text. Standard input, output, error and the exit code pass through
 * unchanged; terminate() kills the process. The child reaches the simulator's cmdlet backend
 * with the URL, a per-run token and the host name in its environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { SimProcess } from '../contracts.ts';
import { ENTRY_SCRIPT, SIM_MODULES } from './pwsh.ts';

export interface PwshTarget {
  pwsh: string;
  /** The DLL of AetherV.SimTypes.cs. */
  types: string;
  backendUrl: string;
  token: string;
  hostName: string;
  domain: string;
  /** The folder that is the host's C:\. */
  driveRoot: string;
}

export type PwshCall = { kind: 'file'; path: string } | { kind: 'encoded'; base64: string };

export interface RunHooks {
  /** Sees stdin as it flows (the request), e.g. for the operation log. */
  onStdin?(chunk: Buffer): void;
  onStdout?(chunk: Buffer): void;
  /** After the process exited and its output ended. */
  onExit?(code: number): void;
  /** Real milliseconds before pwsh starts (fault latency). */
  delayMs?: number;
  /** Replaces the whole of stdin before it reaches pwsh (fault injection); stdin is then buffered. */
  rewriteStdin?(input: Buffer): Buffer;
}

/** Environment of a simulated host's powershell.exe: Windows' variables, the shim modules first. */
export function pwshEnv(t: PwshTarget): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? t.driveRoot,
    LANG: 'C.UTF-8',
    // pwsh adds its own module folders after these.
    PSModulePath: SIM_MODULES + (process.env.PSModulePath ? delimiter + process.env.PSModulePath : ''),
    POWERSHELL_TELEMETRY_OPTOUT: '1',
    POWERSHELL_UPDATECHECK: 'Off',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
    COMPUTERNAME: t.hostName,
    USERDNSDOMAIN: t.domain.toUpperCase(),
    USERDOMAIN: t.domain.split('.')[0]!.toUpperCase(),
    SystemDrive: 'C:',
    SystemRoot: 'C:\\Windows',
    windir: 'C:\\Windows',
    ProgramFiles: 'C:\\Program Files',
    TEMP: join(t.driveRoot, 'Windows', 'Temp'),
    TMP: join(t.driveRoot, 'Windows', 'Temp'),
    AETHERV_SIM_URL: t.backendUrl,
    AETHERV_SIM_TOKEN: t.token,
    AETHERV_SIM_HOST: t.hostName,
    AETHERV_SIM_TYPES: t.types,
  };
}

/** The powershell.exe switches before -File/-EncodedCommand, kept as the caller gave them. */
export function runPwsh(target: Promise<PwshTarget>, leading: string[], call: PwshCall, hooks: RunHooks = {}): SimProcess {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let child: ChildProcess | undefined;
  let killed = false;
  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((r) => { resolveExit = r; });
  let finished = false;
  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    hooks.onExit?.(code);
    resolveExit(code);
  };
  const input: Buffer[] = [];
  stdin.on('data', (c: Buffer) => { hooks.onStdin?.(c); input.push(c); });
  const stdinEnded = new Promise<void>((r) => { stdin.once('end', r); stdin.once('close', r); });
  target.then(async (t) => {
    if (hooks.delayMs) await new Promise((r) => setTimeout(r, hooks.delayMs));
    if (killed) { stdout.end(); stderr.end(); return finish(1); }
    const args = [...leading, '-File', ENTRY_SCRIPT, '-SimulatedRoot', t.driveRoot,
      ...(call.kind === 'file' ? ['-AgentFile', call.path] : ['-EncodedCommand', call.base64])];
    const c = spawn(t.pwsh, args, { cwd: t.driveRoot, env: pwshEnv(t), stdio: ['pipe', 'pipe', 'pipe'] });
    child = c;
    c.stdin!.on('error', () => undefined);
    if (hooks.rewriteStdin) {
      void stdinEnded.then(() => c.stdin!.end(hooks.rewriteStdin!(Buffer.concat(input))));
    } else {
      for (const chunk of input) c.stdin!.write(chunk);
      input.length = 0;
      stdin.removeAllListeners('data');
      stdin.on('data', (chunk: Buffer) => { hooks.onStdin?.(chunk); c.stdin!.write(chunk); });
      void stdinEnded.then(() => c.stdin!.end());
    }
    c.stdout!.on('data', (chunk: Buffer) => hooks.onStdout?.(chunk));
    c.stdout!.pipe(stdout);
    c.stderr!.pipe(stderr);
    let code: number | null = null;
    let pending = 3;
    const done = (): void => { if (--pending === 0) finish(killed ? 1 : (code ?? 1)); };
    c.stdout!.once('close', done);
    c.stderr!.once('close', done);
    c.once('close', (exitCode) => { code = exitCode; done(); });
    c.once('error', (err) => {
      stderr.end(`${err.message}\r\n`);
      stdout.end();
      finish(1);
    });
  }, (err: unknown) => {
    stderr.end(`${err instanceof Error ? err.message : String(err)}\r\n`);
    stdout.end();
    finish(1);
  });
  return {
    stdin,
    stdout,
    stderr,
    exit,
    terminate() {
      killed = true;
      stdin.destroy();
      child?.kill('SIGKILL');
    },
  };
}
