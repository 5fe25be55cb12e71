/**
 * Builds SOAP envelopes with the WS-Management header every WinRS request carries
 * (To, ReplyTo, MaxEnvelopeSize, MessageID, Locale, OperationTimeout, ResourceURI, Action,
 * and optionally a ShellId selector and an option set).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { ACTIONS, ANONYMOUS_REPLY_TO, NS, SHELL_RESOURCE_URI, type ShellAction } from './namespaces.ts';

export interface EnvelopeOptions {
  /** Endpoint URL, e.g. https://hv01:5986/wsman. */
  to: string;
  action: ShellAction;
  maxEnvelopeSize: number;
  operationTimeoutSeconds: number;
  shellId?: string;
  /** WS-Man options (w:OptionSet), e.g. WINRS_SKIP_CMD_SHELL. */
  options?: Record<string, string>;
  /** Inner XML of s:Body. */
  body: string;
  /** Fixed MessageID for reproducible tests; random otherwise. */
  messageId?: string;
}

// Tab, CR and LF as character references: a parser would turn a raw CR LF into LF, and any of
// them into a space inside an attribute value.
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
// Characters XML 1.0 cannot carry at all, not even as references (and unpaired surrogates).
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text for an XML element or a double-quoted attribute; refuses what no XML 1.0 document can hold. */
export function escapeXml(text: string): string {
  const bad = NOT_XML.exec(text);
  if (bad) throw new AppError('INTERNAL', `a WS-Management request cannot carry the character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (at ${bad.index}): XML 1.0 has no way to write it`);
  return text.replace(/[&<>"'\t\n\r]/g, (ch) => XML_ESCAPES[ch] ?? ch);
}

export function newMessageId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

const NAMESPACE_DECLARATIONS = Object.entries(NS)
  .map(([prefix, uri]) => `xmlns:${prefix}="${uri}"`)
  .join(' ');

export function buildEnvelope(options: EnvelopeOptions): string {
  const selector = options.shellId === undefined
    ? ''
    : `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(options.shellId)}</w:Selector></w:SelectorSet>`;
  const optionEntries = Object.entries(options.options ?? {});
  const optionSet = optionEntries.length === 0
    ? ''
    : `<w:OptionSet>${optionEntries.map(([name, value]) => `<w:Option Name="${escapeXml(name)}">${escapeXml(value)}</w:Option>`).join('')}</w:OptionSet>`;
  return '<?xml version="1.0" encoding="utf-8"?>'
    + `<s:Envelope ${NAMESPACE_DECLARATIONS}>`
    + '<s:Header>'
    + `<a:To>${escapeXml(options.to)}</a:To>`
    + `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS_REPLY_TO}</a:Address></a:ReplyTo>`
    + `<w:MaxEnvelopeSize s:mustUnderstand="true">${options.maxEnvelopeSize}</w:MaxEnvelopeSize>`
    + `<a:MessageID>${options.messageId ?? newMessageId()}</a:MessageID>`
    + '<w:Locale s:mustUnderstand="false" xml:lang="en-US"/>'
    + '<p:DataLocale s:mustUnderstand="false" xml:lang="en-US"/>'
    + `<w:OperationTimeout>PT${options.operationTimeoutSeconds}S</w:OperationTimeout>`
    + `<w:ResourceURI s:mustUnderstand="true">${SHELL_RESOURCE_URI}</w:ResourceURI>`
    + `<a:Action s:mustUnderstand="true">${ACTIONS[options.action]}</a:Action>`
    + selector
    + optionSet
    + '</s:Header>'
    + `<s:Body>${options.body}</s:Body>`
    + '</s:Envelope>';
}
