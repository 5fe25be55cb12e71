/** Response envelopes shaped like the Windows answers in shared/fixtures/winrm/*_response.xml. */
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, CMD_RESOURCE_URI, COMMAND_STATE, RESPONSE_NAMESPACES, escapeXml } from './namespaces.ts';
import type { OutputChunk } from './shells.ts';

function envelope(action: string, relatesTo: string | undefined, body: string): string {
  const relates = relatesTo ? `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` : '';
  return `<?xml version="1.0" ?><s:Envelope xml:lang="en-US" ${RESPONSE_NAMESPACES}>` +
    `<s:Header><a:Action>${action}</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID>` +
    `<a:To>${ANONYMOUS}</a:To>${relates}</s:Header>${body}</s:Envelope>`;
}

export function createResponse(relatesTo: string | undefined, address: string, shellId: string): string {
  return envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse', relatesTo,
    `<s:Body><x:ResourceCreated><a:Address>${escapeXml(address)}</a:Address><a:ReferenceParameters>` +
    `<w:ResourceURI>${CMD_RESOURCE_URI}</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet>` +
    '</a:ReferenceParameters></x:ResourceCreated></s:Body>');
}

export function deleteResponse(relatesTo: string | undefined): string {
  return envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse', relatesTo, '<s:Body/>');
}

export function commandResponse(relatesTo: string | undefined, commandId: string): string {
  return envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse', relatesTo,
    `<s:Body><rsp:CommandResponse><rsp:CommandId>${commandId}</rsp:CommandId></rsp:CommandResponse></s:Body>`);
}

export function sendResponse(relatesTo: string | undefined): string {
  return envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse', relatesTo, '<s:Body><rsp:SendResponse/></s:Body>');
}

export function signalResponse(relatesTo: string | undefined): string {
  return envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse', relatesTo, '<s:Body><rsp:SignalResponse/></s:Body>');
}

export interface ReceiveResult {
  commandId: string;
  chunks: OutputChunk[];
  /** Streams whose end is reported in this response. */
  ended: Array<'stdout' | 'stderr'>;
  /** Set when the command is done (reported with its exit code). */
  exitCode: number | undefined;
}

export function receiveResponse(relatesTo: string | undefined, r: ReceiveResult): string {
  const id = r.commandId;
  let streams = '';
  for (const c of r.chunks) streams += `<rsp:Stream Name="${c.stream}" CommandId="${id}">${c.data.toString('base64')}</rsp:Stream>`;
  for (const name of r.ended) streams += `<rsp:Stream Name="${name}" CommandId="${id}" End="true"/>`;
  const state = r.exitCode === undefined
    ? `<rsp:CommandState CommandId="${id}" State="${COMMAND_STATE.running}"/>`
    : `<rsp:CommandState CommandId="${id}" State="${COMMAND_STATE.done}"><rsp:ExitCode>${r.exitCode}</rsp:ExitCode></rsp:CommandState>`;
  return envelope('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse', relatesTo,
    `<s:Body><rsp:ReceiveResponse>${streams}${state}</rsp:ReceiveResponse></s:Body>`);
}
