/**
 * Command dispatch of a simulated Windows Server 2022 host, as cmd.exe / OpenSSH's default shell
 * sees a command line: the agent (powershell.exe -File …\AetherV.Agent.ps1), the bootstrap
 * loader (powershell.exe -EncodedCommand, the script on stdin), hostname, whoami, echo, more,
 * cmd /c; nothing else.
 */
import type { CommandContext, CommandHost, HostFaults, SimProcess } from '../contracts.ts';
import { runAgent } from './agent.ts';
import { AGENT_ENTRY, isBootstrapLoader, runLoader } from './bootstrap.ts';
import { normalize } from './files.ts';
import type { HostModel } from './model.ts';
import { simProcess, type ProcessIo } from './process.ts';
import type { SimRuntime } from './runtime.ts';
import type { PwshMode } from '../pwsh/mode.ts';
import type { PwshCall } from '../pwsh/runner.ts';
import { recordAgentCall } from '../pwsh/oplog.ts';
import { corruptingStdin } from '../pwsh/corrupt-downloads.ts';

/** Splits a command line the way CommandLineToArgvW does for the cases that matter here. */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '"') {
      if (inQuotes && line[i + 1] === '"') { cur += '"'; i++; } else inQuotes = !inQuotes;
      started = true;
    } else if (!inQuotes && (ch === ' ' || ch === '\t')) {
      if (started) { args.push(cur); cur = ''; started = false; }
    } else { cur += ch; started = true; }
  }
  if (started) args.push(cur);
  return args;
}

function programName(arg: string): string {
  return arg.slice(Math.max(arg.lastIndexOf('\\'), arg.lastIndexOf('/')) + 1).toLowerCase().replace(/\.exe$/, '');
}

/** cmd.exe refuses longer command lines; CreateProcess itself takes 32,767 characters. */
export const CMD_LIMIT = 8191;
export const CREATE_PROCESS_LIMIT = 32767;

/** OpenSSH's default shell on Windows is cmd.exe; WinRS skips it only with WINRS_SKIP_CMD_SHELL=TRUE. */
function commandLineLimit(ctx: CommandContext): number {
  const skipsCmd = ctx.via === 'winrm' && (ctx.env?.WINRS_SKIP_CMD_SHELL ?? '').toUpperCase() === 'TRUE';
  return skipsCmd ? CREATE_PROCESS_LIMIT : CMD_LIMIT;
}

const NOT_RECOGNIZED = (name: string): string => `'${name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;

const POWERSHELL_SWITCHES = ['-nologo', '-noprofile', '-noninteractive', '-nop', '-noni'];
const POWERSHELL_VALUED = ['-executionpolicy', '-ep', '-inputformat', '-outputformat'];

/**
 * The powershell.exe call a command line makes, if it is one the real agent mode runs: the agent
 * file, or the bootstrap loader (-EncodedCommand with the loader's marker; the script it runs
 * comes on stdin). `cmd /c` is looked through.
 */
export function powershellCall(commandLine: string): { leading: string[]; call: PwshCall } | undefined {
  let line = commandLine.trim();
  for (let depth = 0; depth < 4; depth++) {
    const args = splitCommandLine(line);
    const name = programName(args[0] ?? '');
    if (name === 'cmd') {
      const idx = args.findIndex((a) => /^\/[ck]$/i.test(a));
      if (idx < 0) return undefined;
      line = line.slice(line.toLowerCase().indexOf(args[idx]!.toLowerCase()) + 2).trim().replace(/^"(.*)"$/, '$1');
      continue;
    }
    if (name !== 'powershell') return undefined;
    const leading: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const a = (args[i] ?? '').toLowerCase();
      if (POWERSHELL_SWITCHES.includes(a)) { leading.push(args[i]!); continue; }
      if (POWERSHELL_VALUED.includes(a)) { leading.push(args[i]!, args[i + 1] ?? ''); i++; continue; }
      if (a === '-file' || a === '-f') return { leading, call: { kind: 'file', path: args[i + 1] ?? '' } };
      if (['-encodedcommand', '-enc', '-ec', '-e'].includes(a)) {
        const base64 = args[i + 1] ?? '';
        return isBootstrapLoader(Buffer.from(base64, 'base64').toString('utf16le')) ? { leading, call: { kind: 'encoded', base64 } } : undefined;
      }
      return undefined;
    }
    return undefined;
  }
  return undefined;
}

/** `pwsh` tells whether this host runs the real agent now (and with what), else undefined. */
export function createCommandHost(host: HostModel, rt: SimRuntime, faults: () => HostFaults, pwsh: () => PwshMode | undefined = () => undefined): CommandHost {
  const dispatch = (commandLine: string, ctx: CommandContext, io: ProcessIo): Promise<number> => {
    const trimmed = commandLine.trim();
    const args = splitCommandLine(trimmed);
    const first = args[0] ?? '';
    const rest = trimmed.slice(trimmed.indexOf(first) + first.length).replace(/^"?\s?/, '');
    switch (programName(first)) {
      case '':
        return Promise.resolve(0);
      case 'hostname':
        io.out(`${host.name}\r\n`);
        return Promise.resolve(0);
      case 'whoami':
        io.out(`${(ctx.user.includes('\\') ? ctx.user : `${host.name}\\${ctx.user}`).toLowerCase()}\r\n`);
        return Promise.resolve(0);
      case 'echo':
        io.out(rest.trim() === '' ? 'ECHO is on.\r\n' : `${trimmed.slice(4).replace(/^[ \t]/, '')}\r\n`);
        return Promise.resolve(0);
      case 'more':
        return more(io);
      case 'cmd': {
        const idx = args.findIndex((a) => /^\/[ck]$/i.test(a));
        if (idx < 0) { io.out('Microsoft Windows [Version 10.0.20348.2849]\r\n(c) Microsoft Corporation. All rights reserved.\r\n'); return Promise.resolve(0); }
        const after = trimmed.slice(trimmed.toLowerCase().indexOf(args[idx]!.toLowerCase()) + 2).trim();
        return dispatch(after.replace(/^"(.*)"$/, '$1'), ctx, io);
      }
      case 'powershell':
        return powershell(args.slice(1), ctx, io);
      default:
        io.err(NOT_RECOGNIZED(first));
        return Promise.resolve(1);
    }
  };

  const powershell = async (args: string[], _ctx: CommandContext, io: ProcessIo): Promise<number> => {
    for (let i = 0; i < args.length; i++) {
      const a = (args[i] ?? '').toLowerCase();
      if (!a.startsWith('-')) break;
      if (['-nologo', '-noprofile', '-noninteractive', '-nop', '-noni'].includes(a)) continue;
      if (a === '-executionpolicy' || a === '-ep' || a === '-inputformat' || a === '-outputformat') { i++; continue; }
      if (a === '-file' || a === '-f') return runFile(args[i + 1] ?? '', io);
      if (['-encodedcommand', '-enc', '-ec', '-e'].includes(a)) return runEncoded(args[i + 1] ?? '', io);
      if (a === '-command' || a === '-c') {
        io.err('The simulated host runs only the Aether-V agent (-File) and the bootstrap loader (-EncodedCommand).\r\n');
        return 1;
      }
    }
    io.err('Windows PowerShell\r\nCopyright (C) Microsoft Corporation. All rights reserved.\r\n');
    return 1;
  };

  const runFile = (path: string, io: ProcessIo): Promise<number> => {
    const p = normalize(path);
    for (const inst of host.installs.values()) {
      if (p === normalize(`${inst.directory}\\${AGENT_ENTRY}`) && inst.files.some((f) => f.name === AGENT_ENTRY)) {
        return runAgent({ host, rt, faults: faults(), installDirectory: inst.directory }, io);
      }
    }
    io.err(`The argument '${path}' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.\r\n`);
    // powershell.exe exits with 0xFFFD0000 for a missing -File script.
    return Promise.resolve(-196608);
  };

  const runEncoded = (encoded: string, io: ProcessIo): Promise<number> => {
    if (!isBootstrapLoader(Buffer.from(encoded, 'base64').toString('utf16le'))) {
      io.err("The simulated host only runs the Aether-V bootstrap loader (first line '# aetherv-bootstrap-loader'), whose stdin carries a script marked '# aetherv-bootstrap: version|stage|install'.\r\n");
      return Promise.resolve(1);
    }
    return runLoader(host, io, { corruptDownloads: faults().corruptDownloads === true });
  };

  return {
    spawn(commandLine: string, context: CommandContext): SimProcess {
      const mode = pwsh();
      const real = mode && commandLine.length <= commandLineLimit(context) ? powershellCall(commandLine) : undefined;
      if (mode && real && (real.call.kind === 'encoded' || mode.hasFile(host, real.call.path))) {
        const f = faults();
        const delay = f.latencyMs + (f.jitterMs > 0 ? Math.floor(rt.rng.next() * f.jitterMs) : 0);
        return mode.spawn(host, real.leading, real.call, {
          ...(delay > 0 ? { delayMs: delay } : {}),
          ...(real.call.kind === 'file' ? recordAgentCall(host, rt) : {}),
          // corruptDownloads for the real bootstrap (added by the real-agent e2e tests).
          ...(real.call.kind === 'encoded' && f.corruptDownloads === true ? { rewriteStdin: corruptingStdin() } : {}),
        });
      }
      return simProcess((io) => {
        const limit = commandLineLimit(context);
        if (commandLine.length > limit) {
          io.err(limit === CMD_LIMIT ? 'The command line is too long.\r\n' : 'The filename or extension is too long.\r\n');
          return Promise.resolve(1);
        }
        return dispatch(commandLine, context, io);
      });
    },
  };
}

async function more(io: ProcessIo): Promise<number> {
  await new Promise<void>((resolve) => {
    io.stdin.on('data', (c: Buffer) => io.out(c.toString('utf8')));
    io.stdin.once('end', resolve);
    io.stdin.once('close', resolve);
  });
  return 0;
}
