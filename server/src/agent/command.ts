/**
 * The two command lines the orchestrator ever runs on a host (DESIGN §3): the installed agent,
 * and the fixed bootstrap loader sent with -EncodedCommand (the bootstrap script itself follows
 * on stdin, bootstrap-loader.ts). Both read their input as JSON on stdin, so no user data ever
 * becomes part of a command line.
 */
import { AppError } from '../errors.ts';
import { BOOTSTRAP_LOADER } from './bootstrap-loader.ts';

const POWERSHELL = 'powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass';
export const AGENT_ENTRY_POINT = 'AetherV.Agent.ps1';
export const DEFAULT_INSTALL_DIRECTORY = 'C:\\Program Files\\Aether-V';

/**
 * Characters that cannot be carried inside one double-quoted Windows argument: `"` ends the
 * quoting, `%` is expanded by cmd.exe (OpenSSH's default shell), and `<>|?*` and control
 * characters are not valid in Windows paths anyway.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
const UNQUOTABLE = /["%<>|?*\u0000-\u001f]/;
const ABSOLUTE_WINDOWS_PATH = /^(?:[A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)/;

/** Validates an install directory and returns it without trailing backslashes. */
export function normaliseInstallDirectory(directory: string): string {
  if (!ABSOLUTE_WINDOWS_PATH.test(directory)) {
    throw new AppError('CONFIG_INVALID', `HOST_INSTALL_DIRECTORY must be an absolute Windows path (C:\\… or \\\\server\\share\\…), got ${JSON.stringify(directory)}`);
  }
  if (UNQUOTABLE.test(directory)) {
    throw new AppError('CONFIG_INVALID', `HOST_INSTALL_DIRECTORY ${JSON.stringify(directory)} contains a character that cannot be quoted on a Windows command line (" % < > | ? * or a control character)`);
  }
  const trimmed = directory.replace(/\\+$/, '');
  // `C:` alone would mean "current directory of drive C": keep the root backslash.
  return /^[A-Za-z]:$/.test(trimmed) ? `${trimmed}\\` : trimmed;
}

/** `powershell.exe … -File "<dir>\AetherV.Agent.ps1"`, the path quoted as one argument. */
export function agentCommand(installDirectory: string): string {
  const directory = normaliseInstallDirectory(installDirectory);
  const separator = directory.endsWith('\\') ? '' : '\\';
  return `${POWERSHELL} -File "${directory}${separator}${AGENT_ENTRY_POINT}"`;
}

/**
 * Windows limits a command line to 32,767 characters (CreateProcess); through cmd.exe — the
 * default shell of OpenSSH on Windows — only 8,191.
 */
export const COMMAND_LINE_LIMIT = { winrm: 32_767, ssh: 8_191 } as const;

/** `powershell.exe … -EncodedCommand <base64 of the script as UTF-16LE>`. */
export function encodedCommand(script: string): string {
  return `${POWERSHELL} -EncodedCommand ${Buffer.from(script, 'utf16le').toString('base64')}`;
}

/** The command line of every bootstrap call, whatever the script: the loader, encoded. */
export function bootstrapLoaderCommand(): string {
  return encodedCommand(BOOTSTRAP_LOADER);
}
