/**
 * Reads a WS-Management request envelope into the few fields the WinRS service needs.
 * Namespace prefixes are ignored (clients pick their own: `env:`, `s:`, `soap:`…).
 */
import { XMLParser } from 'fast-xml-parser';
import { faults } from './faults.ts';

export type XmlNode = Record<string, unknown>;

export interface WsmanRequest {
  action: string;
  messageId: string | undefined;
  resourceUri: string | undefined;
  selectors: Record<string, string>;
  options: Record<string, string>;
  /** OperationTimeout in milliseconds, if the client sent one. */
  operationTimeoutMs: number | undefined;
  /** The client's MaxEnvelopeSize in bytes, if sent. */
  maxEnvelopeSize: number | undefined;
  body: XmlNode;
}

const ARRAYS = new Set(['Selector', 'Option', 'Stream', 'Variable', 'Arguments', 'DesiredStream']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ARRAYS.has(name),
});

/** The text of an element whether the parser gave a string or an object with attributes. */
export function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'object') {
    const t = (node as XmlNode)['#text'];
    return typeof t === 'string' ? t : t === undefined ? '' : String(t);
  }
  return String(node);
}

export function attrOf(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[`@${name}`];
  return v === undefined ? undefined : String(v);
}

export function asArray(node: unknown): unknown[] {
  if (node === undefined || node === null || node === '') return [];
  return Array.isArray(node) ? node : [node];
}

/** xs:duration as used by WS-Man (`PT20S`, `PT60.000S`, `P0DT0H1M0S`) → milliseconds. */
export function parseDuration(value: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, d, h, min, s] = m;
  return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000);
}

function namedValues(nodes: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of asArray(nodes)) {
    const name = attrOf(n, 'Name');
    if (name !== undefined) out[name] = textOf(n).trim();
  }
  return out;
}

export function parseRequest(xml: string): WsmanRequest {
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch (error) {
    throw faults.schemaValidation((error as Error).message.split('\n')[0] ?? 'malformed XML');
  }
  const envelope = doc['Envelope'] as XmlNode | undefined;
  const header = envelope?.['Header'] as XmlNode | undefined;
  if (!envelope || !header) throw faults.schemaValidation('The SOAP envelope or header is missing.');
  const body = envelope['Body'];
  const action = textOf(header['Action']).trim();
  if (!action) throw faults.schemaValidation('The WS-Addressing Action header is missing.');
  const timeout = textOf(header['OperationTimeout']);
  const maxEnvelope = Number(textOf(header['MaxEnvelopeSize']));
  const selectorSet = header['SelectorSet'] as XmlNode | undefined;
  const optionSet = header['OptionSet'] as XmlNode | undefined;
  return {
    action,
    messageId: textOf(header['MessageID']).trim() || undefined,
    resourceUri: textOf(header['ResourceURI']).trim() || undefined,
    selectors: namedValues(selectorSet?.['Selector']),
    options: namedValues(optionSet?.['Option']),
    operationTimeoutMs: timeout ? parseDuration(timeout) : undefined,
    maxEnvelopeSize: Number.isFinite(maxEnvelope) && maxEnvelope > 0 ? maxEnvelope : undefined,
    body: body && typeof body === 'object' ? (body as XmlNode) : {},
  };
}
