/**
 * Windows-shaped WS-Management faults: SOAP 1.2 `s:Fault` with a WS-Man subcode and a
 * `f:WSManFault` detail carrying the same numeric code Windows uses (wsmerror.h), so a client
 * can map them exactly as it would against Windows Server.
 */
import { randomUUID } from 'node:crypto';
import { ACTION, ANONYMOUS, NS, escapeXml } from './namespaces.ts';

/** The codes of wsmerror.h (and Win32) that the simulator answers with. */
export const WSMAN_CODE = {
  accessDenied: 5,
  invalidActionUri: 2150858753,
  operationTimedOut: 2150858793,
  invalidSelectors: 2150858813,
  schemaValidation: 2150858817,
  maxEnvelopeSizeExceeded: 2150858824,
  invalidParameter: 2150858810,
  shellNotFound: 2150858843,
  quotaMaxShells: 2150859173,
  resourceNotFound: 2150858752,
} as const;

export interface FaultSpec {
  code: 'Sender' | 'Receiver';
  subcode: string;
  reason: string;
  wsmanCode: number;
  message: string;
  /** Optional `w:FaultDetail` URI Windows adds for some faults. */
  faultDetail?: string;
  httpStatus: number;
}

export class WsmanFault extends Error {
  constructor(readonly spec: FaultSpec) {
    super(spec.message);
    this.name = 'WsmanFault';
  }
}

export const faults = {
  timedOut(): WsmanFault {
    const text = 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ';
    return new WsmanFault({ code: 'Receiver', subcode: 'w:TimedOut', reason: text, wsmanCode: WSMAN_CODE.operationTimedOut, message: text, httpStatus: 500 });
  },
  shellNotFound(shellId: string): WsmanFault {
    return new WsmanFault({
      code: 'Sender', subcode: 'w:InvalidSelectors',
      reason: 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
      wsmanCode: WSMAN_CODE.shellNotFound,
      message: `The request for the Windows Remote Shell with ShellId ${shellId} failed because the shell was not found on the server. ` +
        'Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. ',
      faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors',
      httpStatus: 500,
    });
  },
  missingSelector(): WsmanFault {
    const text = 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ';
    return new WsmanFault({
      code: 'Sender', subcode: 'w:InvalidSelectors', reason: text, wsmanCode: WSMAN_CODE.invalidSelectors, message: text,
      faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InsufficientSelectors', httpStatus: 500,
    });
  },
  commandNotFound(commandId: string): WsmanFault {
    const text = `The WS-Management service cannot process the request because the CommandId ${commandId} is not valid for this shell. `;
    return new WsmanFault({ code: 'Sender', subcode: 'w:InvalidParameter', reason: 'The parameter is incorrect. ', wsmanCode: WSMAN_CODE.invalidParameter, message: text, httpStatus: 500 });
  },
  accessDenied(): WsmanFault {
    return new WsmanFault({ code: 'Sender', subcode: 'w:AccessDenied', reason: 'Access is denied. ', wsmanCode: WSMAN_CODE.accessDenied, message: 'Access is denied. ', httpStatus: 500 });
  },
  shellQuota(limit: number): WsmanFault {
    const text = `The WS-Management service cannot process the request. This user is allowed a maximum number of ${limit} concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. `;
    return new WsmanFault({ code: 'Sender', subcode: 'w:QuotaLimit', reason: 'The WS-Management service cannot process the request. The service is configured to not accept any more requests. ', wsmanCode: WSMAN_CODE.quotaMaxShells, message: text, httpStatus: 500 });
  },
  actionNotSupported(action: string): WsmanFault {
    const text = `The WS-Management service cannot process the request because the WS-Addressing action URI ${action} is invalid. `;
    return new WsmanFault({ code: 'Sender', subcode: 'a:ActionNotSupported', reason: 'The action is not supported by the service. ', wsmanCode: WSMAN_CODE.invalidActionUri, message: text, httpStatus: 500 });
  },
  resourceNotFound(uri: string): WsmanFault {
    const text = `The WS-Management service cannot process the request. The resource URI ${uri} was not found in the WS-Management catalog. `;
    return new WsmanFault({ code: 'Sender', subcode: 'w:DestinationUnreachable', reason: text, wsmanCode: WSMAN_CODE.resourceNotFound, message: text, httpStatus: 500 });
  },
  envelopeTooLarge(limit: number): WsmanFault {
    const text = `The WS-Management service cannot process the request because the request exceeds the maximum envelope size of ${limit} bytes. `;
    return new WsmanFault({
      code: 'Sender', subcode: 'w:EncodingLimit', reason: 'The request exceeds the maximum envelope size. ', wsmanCode: WSMAN_CODE.maxEnvelopeSizeExceeded, message: text,
      faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize', httpStatus: 500,
    });
  },
  schemaValidation(detail: string): WsmanFault {
    const text = `The WS-Management service cannot process the request because the XML is invalid. ${detail} `;
    return new WsmanFault({ code: 'Sender', subcode: 'w:SchemaValidationError', reason: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ', wsmanCode: WSMAN_CODE.schemaValidation, message: text, httpStatus: 500 });
  },
};

/** The `s:Envelope` carrying a fault, shaped like fault_wsman_fault_known_fault.xml. */
export function faultEnvelope(fault: WsmanFault, relatesTo: string | undefined, machine: string): string {
  const s = fault.spec;
  const relates = relatesTo ? `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` : '';
  const detail = s.faultDetail ? `<w:FaultDetail>${s.faultDetail}</w:FaultDetail>` : '';
  return '<s:Envelope xml:lang="en-US" ' +
    `xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:x="${NS.transfer}" xmlns:w="${NS.wsman}" xmlns:p="${NS.msWsman}">` +
    `<s:Header><a:Action>${ACTION.fault}</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID>` +
    `<a:To>${ANONYMOUS}</a:To>${relates}</s:Header>` +
    `<s:Body><s:Fault><s:Code><s:Value>s:${s.code}</s:Value><s:Subcode><s:Value>${s.subcode}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeXml(s.reason)}</s:Text></s:Reason>` +
    `<s:Detail>${detail}<f:WSManFault xmlns:f="${NS.wsmanFault}" Code="${s.wsmanCode}" Machine="${escapeXml(machine)}">` +
    `<f:Message>${escapeXml(s.message)}</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`;
}
