/**
 * WinRS Receive: poll a command's stdout/stderr. One response may hold several rsp:Stream
 * elements per stream (base64 each), End="true" markers, and a CommandState whose Done state
 * carries the exit code. A w:TimedOut fault just means "no output within OperationTimeout".
 */
import { buildEnvelope, escapeXml } from './envelope.ts';
import { COMMAND_STATE_DONE } from './namespaces.ts';
import { AppError } from '../../errors.ts';
import { attr, child, children, text, type XmlNode } from './response.ts';
import type { RequestContext } from './shell.ts';

export interface StreamChunk {
  name: 'stdout' | 'stderr';
  data: Buffer;
  end: boolean;
}

export interface ReceiveResult {
  chunks: StreamChunk[];
  /** True once the command has exited (CommandState Done). */
  done: boolean;
  exitCode: number | undefined;
}

export function buildReceive(ctx: RequestContext, shellId: string, commandId: string): string {
  return buildEnvelope({
    ...ctx,
    action: 'Receive',
    shellId,
    body: `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`,
  });
}

export function parseReceiveResponse(body: XmlNode, commandId?: string): ReceiveResult {
  const response = child(body, 'ReceiveResponse');
  if (response === undefined) throw new AppError('REMOTE_PROTOCOL', 'Expected a ReceiveResponse');
  const chunks: StreamChunk[] = [];
  for (const stream of children(response, 'Stream')) {
    const name = attr(stream, 'Name');
    if (name !== 'stdout' && name !== 'stderr') continue;
    if (commandId !== undefined && attr(stream, 'CommandId') !== undefined && !sameId(attr(stream, 'CommandId'), commandId)) continue;
    const content = text(stream) ?? '';
    chunks.push({ name, data: Buffer.from(content, 'base64'), end: attr(stream, 'End') === 'true' });
  }
  const state = child(response, 'CommandState');
  const done = attr(state, 'State') === COMMAND_STATE_DONE;
  const exitText = text(child(state, 'ExitCode'));
  const exitCode = exitText === undefined ? undefined : Number.parseInt(exitText, 10);
  return { chunks, done, exitCode: Number.isNaN(exitCode) ? undefined : exitCode };
}

function sameId(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toUpperCase() === b.toUpperCase();
}
