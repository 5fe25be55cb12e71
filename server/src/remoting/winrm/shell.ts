/**
 * WinRS shell lifecycle: Create (transfer/Create on the cmd resource) and Delete.
 * The shell uses UTF-8 (code page 65001) and skips loading the user profile (faster, and
 * the agent needs none).
 */
import { AppError } from '../../errors.ts';
import { buildEnvelope, escapeXml } from './envelope.ts';
import { attr, child, children, text, type XmlNode } from './response.ts';

export interface RequestContext {
  to: string;
  maxEnvelopeSize: number;
  operationTimeoutSeconds: number;
  messageId?: string;
}

export interface CreateShellOptions {
  /** Environment variables of every command in the shell (rsp:Environment). */
  environment?: Record<string, string>;
  /** Code page of the shell's console streams; 65001 = UTF-8. */
  codepage?: number;
}

export function buildCreateShell(ctx: RequestContext, options: CreateShellOptions = {}): string {
  const env = Object.entries(options.environment ?? {});
  const environment = env.length === 0
    ? ''
    : `<rsp:Environment>${env.map(([name, value]) => `<rsp:Variable Name="${escapeXml(name)}">${escapeXml(value)}</rsp:Variable>`).join('')}</rsp:Environment>`;
  return buildEnvelope({
    ...ctx,
    action: 'Create',
    options: { WINRS_NOPROFILE: 'TRUE', WINRS_CODEPAGE: String(options.codepage ?? 65001) },
    body: `<rsp:Shell>${environment}<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`,
  });
}

/** The ShellId from a CreateResponse (x:ResourceCreated selector, or rsp:Shell/ShellId). */
export function parseCreateShellResponse(body: XmlNode): string {
  const created = child(body, 'ResourceCreated');
  const selectors = children(child(child(created, 'ReferenceParameters'), 'SelectorSet'), 'Selector');
  const fromSelector = selectors.find((s) => attr(s, 'Name') === 'ShellId');
  const shellId = text(fromSelector) ?? text(child(child(body, 'Shell'), 'ShellId'));
  if (shellId === undefined || shellId === '') {
    throw new AppError('REMOTE_PROTOCOL', 'Shell CreateResponse carried no ShellId');
  }
  return shellId;
}

export function buildDeleteShell(ctx: RequestContext, shellId: string): string {
  return buildEnvelope({ ...ctx, action: 'Delete', shellId, body: '' });
}
