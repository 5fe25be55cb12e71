/**
 * SOAP faults (s:Fault, with the optional wsmanfault:WSManFault or MSFT_WmiError detail) and
 * their mapping to typed errors. Callers match on the AppError code, never on host text.
 */
import { AppError, type ErrorCode } from '../../errors.ts';
import { attr, child, children, text, type XmlNode } from './response.ts';

export interface WsmanFault {
  /** SOAP code value without prefix, e.g. "Receiver", "Sender", "MustUnderstand". */
  code: string;
  /** WS-Man subcode without prefix, e.g. "TimedOut", "AccessDenied", "InvalidSelectors". */
  subcode: string | undefined;
  /** s:Reason text. */
  reason: string | undefined;
  /** Windows error number from WSManFault Code (or MSFT_WmiError error_Code). */
  wsmanCode: number | undefined;
  /** The most specific human text the host gave (WSManFault Message, WMI message, or reason). */
  message: string | undefined;
  machine: string | undefined;
}

/** ERROR_WINRS_SHELL_NOT_FOUND (0x8033805B): the ShellId is unknown to the host. */
export const WSMAN_SHELL_NOT_FOUND = 2150858843;

/** The fault inside a SOAP body, if any. */
export function parseFault(body: XmlNode): WsmanFault | undefined {
  const fault = child(body, 'Fault');
  if (fault === undefined) return undefined;
  const codeNode = child(fault, 'Code');
  const code = localName(text(child(codeNode, 'Value'))) ?? 'Unknown';
  const subcode = localName(text(child(child(codeNode, 'Subcode'), 'Value')));
  const reason = clean(children(child(fault, 'Reason'), 'Text').map((t) => text(t) ?? '').join(' '));
  const detail = child(fault, 'Detail');
  const wsmanFault = child(detail, 'WSManFault');
  const wmiError = child(detail, 'MSFT_WmiError');
  let wsmanCode: number | undefined;
  let message: string | undefined;
  let machine: string | undefined;
  if (wsmanFault !== undefined) {
    wsmanCode = toNumber(attr(wsmanFault, 'Code'));
    machine = attr(wsmanFault, 'Machine');
    message = clean(messageText(child(wsmanFault, 'Message')));
  } else if (wmiError !== undefined) {
    wsmanCode = toNumber(text(child(wmiError, 'error_Code')));
    message = clean(text(child(wmiError, 'Message')) ?? text(child(wmiError, 'error_WindowsErrorMessage')));
  }
  return { code, subcode, reason, wsmanCode, message: message ?? reason, machine };
}

export function isOperationTimeout(fault: WsmanFault): boolean {
  return fault.subcode === 'TimedOut' || fault.wsmanCode === 2150858793;
}

export function isShellNotFound(fault: WsmanFault): boolean {
  return fault.subcode === 'InvalidSelectors' || fault.wsmanCode === WSMAN_SHELL_NOT_FOUND;
}

/** A typed error for a fault answered to `action` by `host`. */
export function faultToError(fault: WsmanFault, host: string, action: string): AppError {
  const said = fault.message === undefined ? '' : ` Host said: ${fault.message}`;
  const details = { host, action, faultCode: fault.code, faultSubcode: fault.subcode, wsmanCode: fault.wsmanCode };
  const make = (code: ErrorCode, message: string) => new AppError(code, message + said, { details });
  if (isShellNotFound(fault)) {
    return make('REMOTE_SHELL_GONE', `${host}: the remote shell no longer exists (invalid ShellId selector on ${action}); it was closed or timed out on the host.`);
  }
  switch (fault.subcode) {
    case 'TimedOut':
      return make('REMOTE_TIMEOUT', `${host}: the host did not complete ${action} within the WS-Management OperationTimeout.`);
    case 'AccessDenied':
      return make('REMOTE_ACCESS_DENIED', `${host}: access denied for ${action}; the account authenticated but may not use WinRM (it must be a local Administrator or in "Remote Management Users").`);
    case 'QuotaLimit':
      return make('REMOTE_SHELL_QUOTA', `${host}: WinRM quota exceeded on ${action} (MaxShellsPerUser / MaxConcurrentOperationsPerUser); retry later or raise the host's WinRM quotas.`);
    case 'EncodingLimit':
      return make('REMOTE_FAULT', `${host}: the ${action} request exceeded a host encoding limit (MaxEnvelopeSizekb); lower WINRM_MAX_ENVELOPE_SIZE or raise the host's limit.`);
    case 'ActionNotSupported':
    case 'DestinationUnreachable':
      return make('REMOTE_FAULT', `${host}: the WinRM service does not support ${action} on the cmd shell resource (is this a Windows WinRM listener?).`);
    default:
      return make('REMOTE_FAULT', `${host}: WS-Management fault ${fault.subcode ?? fault.code}${fault.subcode === undefined ? '' : ` (${fault.code})`} on ${action}${fault.message === undefined ? ' (no reason given).' : '.'}`);
  }
}

function localName(qname: string | undefined): string | undefined {
  if (qname === undefined) return undefined;
  const trimmed = qname.trim();
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 ? trimmed.slice(colon + 1) : trimmed;
}

/** WSManFault Message may hold plain text or a ProviderFault element with the text inside. */
function messageText(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const own = text(node);
  if (own !== undefined) return own;
  const provider = child(node, 'ProviderFault');
  return text(provider) ?? text(child(provider, 'WSManFault')) ?? undefined;
}

function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const collapsed = value.replace(/\s+/g, ' ').trim();
  return collapsed === '' ? undefined : collapsed;
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
