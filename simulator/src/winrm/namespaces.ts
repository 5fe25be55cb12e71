/** XML namespaces and URIs of WS-Management / WinRS, as Windows uses them (MS-WSMV). */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  transfer: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  msWsman: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  wsmanFault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
} as const;

export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
export const CMD_RESOURCE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';

export const ACTION = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: `${NS.shell}/Command`,
  send: `${NS.shell}/Send`,
  receive: `${NS.shell}/Receive`,
  signal: `${NS.shell}/Signal`,
  fault: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
} as const;

export const COMMAND_STATE = {
  done: `${NS.shell}/CommandState/Done`,
  running: `${NS.shell}/CommandState/Running`,
} as const;

export const SIGNAL = {
  terminate: `${NS.shell}/signal/terminate`,
  ctrlC: `${NS.shell}/signal/ctrl_c`,
  ctrlBreak: `${NS.shell}/signal/ctrl_break`,
} as const;

/** Every response envelope declares the same prefixes Windows does. */
export const RESPONSE_NAMESPACES =
  `xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:x="${NS.transfer}" xmlns:w="${NS.wsman}" ` +
  `xmlns:rsp="${NS.shell}" xmlns:p="${NS.msWsman}"`;

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
