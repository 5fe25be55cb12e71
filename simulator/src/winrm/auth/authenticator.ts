/**
 * HTTP authentication of a WinRM listener, as Windows' WinRM service does it: Basic per
 * request; NTLM and Kerberos through `Negotiate`, connection-based (once the handshake is
 * done the keep-alive connection is authenticated). Wrong credentials answer 401 at once.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { acceptKerberos, type KerberosAcceptorOptions } from './kerberos.ts';
import * as ntlm from './ntlm.ts';

export interface AuthPolicy {
  username: string;
  password: string;
  /** WinRM AllowUnencrypted: Basic/NTLM/Kerberos accepted over plain HTTP. */
  allowUnencrypted: boolean;
  kerberos?: KerberosAcceptorOptions;
  /** NetBIOS/DNS names the NTLM challenge announces. */
  computerName: string;
  domainName: string;
}

export type AuthOutcome =
  | { ok: true; user: string; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string | string[]> };

interface ConnectionState {
  user?: string;
  ntlm?: ntlm.NtlmChallengeState;
}

const connections = new WeakMap<Socket, ConnectionState>();

function connectionOf(socket: Socket): ConnectionState {
  let state = connections.get(socket);
  if (!state) {
    state = {};
    connections.set(socket, state);
  }
  return state;
}

/** `LAB\admin`, `admin@lab`, `.\admin` → `admin`. */
export function bareUser(name: string): string {
  const afterSlash = name.includes('\\') ? name.slice(name.lastIndexOf('\\') + 1) : name;
  return (afterSlash.includes('@') ? afterSlash.slice(0, afterSlash.indexOf('@')) : afterSlash).toLowerCase();
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function refuse(policy: AuthPolicy, encrypted: boolean): AuthOutcome {
  const offers = ['Negotiate'];
  if (policy.kerberos) offers.push('Kerberos');
  if (encrypted || policy.allowUnencrypted) offers.push('Basic realm="WSMAN"');
  return { ok: false, headers: { 'www-authenticate': offers } };
}

export async function authenticate(req: IncomingMessage, encrypted: boolean, policy: AuthPolicy, authFailure: boolean): Promise<AuthOutcome> {
  const conn = connectionOf(req.socket);
  if (authFailure) {
    conn.user = undefined;
    return refuse(policy, encrypted);
  }
  const header = req.headers.authorization;
  if (!header) return conn.user ? { ok: true, user: conn.user, headers: {} } : refuse(policy, encrypted);
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).trim();
  const token = space < 0 ? '' : header.slice(space + 1).trim();
  const plainAllowed = encrypted || policy.allowUnencrypted;

  if (/^basic$/i.test(scheme)) {
    if (!plainAllowed) return refuse(policy, encrypted);
    const raw = Buffer.from(token, 'base64');
    // RFC 7617 clients send UTF-8; older ones (Python requests) send Latin-1.
    const utf8 = raw.toString('utf8');
    const decoded = utf8.includes('\uFFFD') ? raw.toString('latin1') : utf8;
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (bareUser(user) === bareUser(policy.username) && sameSecret(password, policy.password)) return { ok: true, user: bareUser(user), headers: {} };
    return refuse(policy, encrypted);
  }

  if (/^(negotiate|ntlm|kerberos)$/i.test(scheme) && token) {
    // Without message encryption (not simulated) Windows refuses these over plain HTTP too.
    if (!plainAllowed) return refuse(policy, encrypted);
    const bytes = Buffer.from(token, 'base64');
    if (ntlm.isNtlmToken(bytes)) return ntlmStep(bytes, scheme, conn, policy, encrypted);
    if (!policy.kerberos) return refuse(policy, encrypted);
    try {
      const step = await acceptKerberos(policy.kerberos, token);
      if (!step.complete || !step.user) return refuse(policy, encrypted);
      conn.user = step.user;
      return { ok: true, user: step.user, headers: step.response ? { 'www-authenticate': `Negotiate ${step.response}` } : {} };
    } catch {
      return refuse(policy, encrypted);
    }
  }
  return refuse(policy, encrypted);
}

function ntlmStep(bytes: Buffer, scheme: string, conn: ConnectionState, policy: AuthPolicy, encrypted: boolean): AuthOutcome {
  const type = ntlm.messageType(bytes);
  if (type === 1) {
    const { message, state } = ntlm.challenge(bytes, policy.computerName, policy.domainName);
    conn.ntlm = state;
    conn.user = undefined;
    return { ok: false, headers: { 'www-authenticate': `${scheme} ${message.toString('base64')}` } };
  }
  if (type === 3 && conn.ntlm) {
    const state = conn.ntlm;
    conn.ntlm = undefined;
    let identity: ntlm.NtlmIdentity;
    try {
      identity = ntlm.identity(bytes);
    } catch {
      return refuse(policy, encrypted);
    }
    if (bareUser(identity.user) === bareUser(policy.username) && ntlm.verify(bytes, state, policy.password)) {
      conn.user = bareUser(identity.user);
      return { ok: true, user: conn.user, headers: {} };
    }
  }
  return refuse(policy, encrypted);
}
