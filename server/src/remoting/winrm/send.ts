/**
 * WinRS Send: stdin bytes as base64 in rsp:Stream elements. Input larger than one envelope
 * is cut into several Sends; the last one carries End="true", which closes the pipe.
 */
import { buildEnvelope, escapeXml } from './envelope.ts';
import type { RequestContext } from './shell.ts';

/** Room left for the SOAP header and element markup in each Send envelope. */
const ENVELOPE_OVERHEAD = 4096;

/** Largest stdin slice (bytes) whose base64 form fits in one envelope of maxEnvelopeSize. */
export function maxStdinChunk(maxEnvelopeSize: number): number {
  const base64Room = Math.max(maxEnvelopeSize - ENVELOPE_OVERHEAD, 1024);
  return Math.floor(base64Room / 4) * 3;
}

/** Splits stdin into chunks; always at least one (possibly empty) so End is always sent. */
export function stdinChunks(stdin: Buffer, maxEnvelopeSize: number): Buffer[] {
  const size = maxStdinChunk(maxEnvelopeSize);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < stdin.length; offset += size) chunks.push(stdin.subarray(offset, offset + size));
  if (chunks.length === 0) chunks.push(Buffer.alloc(0));
  return chunks;
}

export function buildSend(ctx: RequestContext, shellId: string, commandId: string, data: Buffer, end: boolean): string {
  return buildEnvelope({
    ...ctx,
    action: 'Send',
    shellId,
    body: `<rsp:Send><rsp:Stream Name="stdin" CommandId="${escapeXml(commandId)}"${end ? ' End="true"' : ''}>${data.toString('base64')}</rsp:Stream></rsp:Send>`,
  });
}
