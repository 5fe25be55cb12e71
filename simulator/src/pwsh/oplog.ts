/**
 * The operation log (control API GET /oplog) for calls the real agent answers: the request is
 * read from stdin as it flows to pwsh, the outcome from the result line it writes.
 */
import type { OpLogEntry } from '../contracts.ts';
import type { HostModel } from '../host/model.ts';
import type { SimRuntime } from '../host/runtime.ts';
import type { RunHooks } from './runner.ts';

export function recordAgentCall(host: HostModel, rt: SimRuntime): RunHooks {
  const input: Buffer[] = [];
  const output: Buffer[] = [];
  return {
    onStdin: (c) => { input.push(c); },
    onStdout: (c) => { output.push(c); },
    onExit: () => {
      let request: { operation?: unknown; params?: unknown } = {};
      try {
        request = JSON.parse(Buffer.concat(input).toString('utf8').replace(/^\uFEFF/, '')) as typeof request;
      } catch {
        request = {};
      }
      const lines = Buffer.concat(output).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
      let result: { ok?: boolean; error?: { code?: string } } | undefined;
      try {
        result = JSON.parse(lines[lines.length - 1] ?? '') as typeof result;
      } catch {
        result = undefined;
      }
      const entry: OpLogEntry = {
        seq: rt.nextSeq++,
        host: host.name,
        operation: typeof request.operation === 'string' ? request.operation : '',
        params: request.params,
        time: new Date().toISOString(),
        outcome: result?.ok === true ? 'ok' : 'error',
      };
      if (result?.ok !== true) entry.errorCode = result?.error?.code ?? 'TRANSPORT';
      rt.oplog.push(entry);
    },
  };
}
