/**
 * A deliberately small raw WS-Man client for the simulator's own tests: it sends the request
 * envelopes of shared/fixtures/winrm (or hand-made ones) and returns status, headers and body,
 * so tests see exactly what a client would.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

export const FIXTURES = new URL('./fixtures/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export interface RawResponse { status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: string }

export interface RawTarget { url: string; ca?: string; agent?: http.Agent }

export function post(target: RawTarget, body: string, authorization?: string): Promise<RawResponse> {
  const url = new URL(target.url);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/soap+xml;charset=UTF-8',
        'content-length': Buffer.byteLength(body),
        ...(authorization ? { authorization } : {}),
      },
      ...(target.ca ? { ca: target.ca } : {}),
      ...(target.agent ? { agent: target.agent } : {}),
    }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false });

export function parse(xml: string): Record<string, unknown> {
  return parser.parse(xml) as Record<string, unknown>;
}

/**
 * The shape of a document: every element path and attribute name (namespace declarations and
 * xml:lang left out), without values, so a response can be compared with a Windows fixture.
 */
export function shape(xml: string): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, path));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === '#text' || key.startsWith('@xmlns') || key === '@lang' || key === '?xml') continue;
      if (key.startsWith('@')) out.add(`${path}${key}`);
      else {
        out.add(`${path}/${key}`);
        walk(value, `${path}/${key}`);
      }
    }
  };
  walk(parse(xml), '');
  return [...out].sort();
}

/** Replaces the selector, command id and stream content of a fixture request. */
export function fillRequest(xml: string, values: { shellId?: string; commandId?: string; stdin?: string; end?: boolean; timeout?: string }): string {
  let out = xml;
  if (values.shellId) out = out.replace(/(<w:Selector Name="ShellId">)[^<]*(<\/w:Selector>)/, `$1${values.shellId}$2`);
  if (values.commandId) out = out.replace(/CommandId="[^"]*"/g, `CommandId="${values.commandId}"`);
  if (values.stdin !== undefined) out = out.replace(/(Name="stdin"[^>]*>)[^<]*(<)/, `$1${values.stdin}$2`);
  if (values.end !== undefined) out = out.replace(/End="(true|false)"/, `End="${values.end}"`);
  if (values.timeout) out = out.replace(/<w:OperationTimeout>[^<]*<\/w:OperationTimeout>/, `<w:OperationTimeout>${values.timeout}</w:OperationTimeout>`);
  return out;
}
