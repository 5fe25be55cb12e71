/**
 * XML namespaces, resource URIs and action URIs of WS-Management / WinRS (MS-WSMV).
 * Prefixes match the ones Windows itself uses so requests read like Windows' own traffic.
 */
export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  x: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
} as const;

export const ANONYMOUS_REPLY_TO = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** The WinRS cmd shell resource. */
export const SHELL_RESOURCE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';

export const ACTIONS = {
  Create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  Delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  Command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  Send: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send',
  Receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  Signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
} as const;

export type ShellAction = keyof typeof ACTIONS;

export const SIGNAL_TERMINATE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate';
export const COMMAND_STATE_DONE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done';
