/**
 * WinRS Command: start a process in a shell. The command line goes to CreateProcess
 * directly (WINRS_SKIP_CMD_SHELL=TRUE: no cmd.exe in between to reinterpret it) and stdin is
 * a pipe (WINRS_CONSOLEMODE_STDIN=FALSE), so the agent reads its JSON request from Send data.
 */
import { AppError } from '../../errors.ts';
import { buildEnvelope, escapeXml } from './envelope.ts';
import { child, text, type XmlNode } from './response.ts';
import type { RequestContext } from './shell.ts';

export function buildCommand(ctx: RequestContext, shellId: string, commandLine: string): string {
  return buildEnvelope({
    ...ctx,
    action: 'Command',
    shellId,
    options: { WINRS_CONSOLEMODE_STDIN: 'FALSE', WINRS_SKIP_CMD_SHELL: 'TRUE' },
    body: `<rsp:CommandLine><rsp:Command>${escapeXml(commandLine)}</rsp:Command></rsp:CommandLine>`,
  });
}

export function parseCommandResponse(body: XmlNode): string {
  const commandId = text(child(child(body, 'CommandResponse'), 'CommandId'));
  if (commandId === undefined || commandId === '') {
    throw new AppError('REMOTE_PROTOCOL', 'CommandResponse carried no CommandId');
  }
  return commandId;
}
