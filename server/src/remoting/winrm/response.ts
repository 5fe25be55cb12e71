/**
 * Parses SOAP responses. Namespace prefixes are dropped (Windows uses s:, a:, w:, rsp:, p:,
 * x:, f: consistently and no element name we read is ambiguous across those namespaces), so
 * callers walk plain element names. Values stay strings: ids and base64 must not be coerced.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../errors.ts';

export type XmlNode = Record<string, unknown>;

/** Elements that may repeat; always parsed as arrays so one and many look the same. */
const REPEATING = new Set(['Stream', 'Selector', 'Text', 'Variable', 'Option']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => REPEATING.has(name),
});

export interface ParsedEnvelope {
  /** The a:Action header (e.g. .../ReceiveResponse or a fault action). */
  action: string | undefined;
  header: XmlNode;
  body: XmlNode;
}

export function parseEnvelope(xml: string): ParsedEnvelope {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new AppError('REMOTE_PROTOCOL', `Host answered with malformed XML (${valid.err.msg}, line ${valid.err.line})`);
  }
  const doc = parser.parse(xml) as XmlNode;
  const envelope = child(doc, 'Envelope');
  const body = child(envelope, 'Body');
  if (envelope === undefined || body === undefined) {
    throw new AppError('REMOTE_PROTOCOL', 'Host answered with XML that is not a SOAP envelope');
  }
  const header = child(envelope, 'Header') ?? {};
  return { action: text(child(header, 'Action')), header, body };
}

/** The named child element, or undefined (an empty element `<x/>` yields {}). */
export function child(node: unknown, name: string): XmlNode | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const value = (node as XmlNode)[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return asNode(value[0]);
  return asNode(value);
}

/** All children with that name (for repeating elements). */
export function children(node: unknown, name: string): XmlNode[] {
  if (node === null || typeof node !== 'object') return [];
  const value = (node as XmlNode)[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => asNode(v) ?? {});
}

/** Text content of an element (element with attributes keeps its text in '#text'). */
export function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return node;
  const inner = (node as XmlNode)['#text'];
  return typeof inner === 'string' ? inner : inner === undefined ? undefined : String(inner);
}

export function attr(node: unknown, name: string): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const value = (node as XmlNode)[`@_${name}`];
  return value === undefined ? undefined : String(value);
}

/** fast-xml-parser gives a bare string for text-only elements; wrap it so every node is an object. */
function asNode(value: unknown): XmlNode | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? {} : { '#text': value };
  if (typeof value === 'object') return value as XmlNode;
  return { '#text': String(value) };
}
