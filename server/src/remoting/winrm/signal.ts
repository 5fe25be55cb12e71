/** WinRS Signal: terminate a command (also releases its resources after it finished). */
import { buildEnvelope, escapeXml } from './envelope.ts';
import { SIGNAL_TERMINATE } from './namespaces.ts';
import type { RequestContext } from './shell.ts';

export function buildSignalTerminate(ctx: RequestContext, shellId: string, commandId: string): string {
  return buildEnvelope({
    ...ctx,
    action: 'Signal',
    shellId,
    body: `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${SIGNAL_TERMINATE}</rsp:Code></rsp:Signal>`,
  });
}
