/**
 * The WinRS resource (`…/windows/shell/cmd`): Create, Command, Send, Receive, Signal, Delete
 * against a ShellRegistry. Input is a parsed request; output is a response envelope or a
 * thrown WsmanFault. Transport and authentication live in http.ts.
 */
import { ACTION, CMD_RESOURCE_URI, SIGNAL } from './namespaces.ts';
import { asArray, attrOf, parseDuration, textOf, type WsmanRequest, type XmlNode } from './envelope.ts';
import { faults } from './faults.ts';
import * as responses from './responses.ts';
import type { ShellRegistry } from './shells.ts';

/** Windows' default MaxTimeoutms: a longer OperationTimeout is capped to it. */
const MAX_OPERATION_TIMEOUT_MS = 60_000;
const DEFAULT_OPERATION_TIMEOUT_MS = 60_000;
/** Room in an envelope for everything but the base64 stream data. */
const ENVELOPE_OVERHEAD = 4096;

/** Options that the client sends per shell or per command and the command may want to see. */
const PASSED_OPTIONS = ['WINRS_SKIP_CMD_SHELL', 'WINRS_CONSOLEMODE_STDIN', 'WINRS_CODEPAGE', 'WINRS_NOPROFILE'];

export interface CallContext {
  user: string;
  /** The listener's own URL, e.g. https://127.0.10.1:5986/wsman. */
  address: string;
  /** Server-side MaxEnvelopeSize in bytes (WinRM MaxEnvelopeSizekb). */
  maxEnvelopeSize: number;
  /** Aborted when the client goes away (a Receive stops waiting). */
  signal: AbortSignal;
}

function pickOptions(options: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_OPTIONS) if (options[name] !== undefined) out[name] = options[name]!.toUpperCase();
  return out;
}

function child(node: unknown, name: string): XmlNode | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[name];
  if (Array.isArray(v)) return v[0] as XmlNode;
  if (v === undefined) return undefined;
  return typeof v === 'object' ? (v as XmlNode) : { '#text': v };
}

export async function handle(req: WsmanRequest, shells: ShellRegistry, ctx: CallContext): Promise<string> {
  if (req.resourceUri !== CMD_RESOURCE_URI) throw faults.resourceNotFound(req.resourceUri ?? '');
  switch (req.action) {
    case ACTION.create: return create(req, shells, ctx);
    case ACTION.delete: {
      shells.delete(shells.get(req.selectors['ShellId'], ctx.user));
      return responses.deleteResponse(req.messageId);
    }
    case ACTION.command: return command(req, shells, ctx);
    case ACTION.send: return send(req, shells, ctx);
    case ACTION.receive: return receive(req, shells, ctx);
    case ACTION.signal: return signal(req, shells, ctx);
    default: throw faults.actionNotSupported(req.action);
  }
}

function create(req: WsmanRequest, shells: ShellRegistry, ctx: CallContext): string {
  const shellNode = child(req.body, 'Shell');
  if (!shellNode) throw faults.schemaValidation('The Create body must contain a Shell element.');
  const env: Record<string, string> = {};
  for (const v of asArray(child(shellNode, 'Environment')?.['Variable'])) {
    const name = attrOf(v, 'Name');
    if (name) env[name] = textOf(v);
  }
  const idle = parseDuration(textOf(shellNode['IdleTimeOut']));
  const shell = shells.create(ctx.user, env, pickOptions(req.options), idle);
  return responses.createResponse(req.messageId, ctx.address, shell.id);
}

function command(req: WsmanRequest, shells: ShellRegistry, ctx: CallContext): string {
  const shell = shells.get(req.selectors['ShellId'], ctx.user);
  const line = child(req.body, 'CommandLine');
  const cmd = textOf(line?.['Command']).trim();
  if (!line || !cmd) throw faults.schemaValidation('The Command body must contain a CommandLine with a Command.');
  const args = asArray(line['Arguments']).map(textOf);
  const commandLine = [cmd, ...args].join(' ');
  const started = shells.run(shell, commandLine, { ...shell.options, ...pickOptions(req.options) }, attrOf(line, 'CommandId'));
  return responses.commandResponse(req.messageId, started.id);
}

async function send(req: WsmanRequest, shells: ShellRegistry, ctx: CallContext): Promise<string> {
  const shell = shells.get(req.selectors['ShellId'], ctx.user);
  const sendNode = child(req.body, 'Send');
  for (const stream of asArray(sendNode?.['Stream'])) {
    const target = shells.command(shell, attrOf(stream, 'CommandId'));
    const stdin = target.process.stdin;
    const data = Buffer.from(textOf(stream).trim(), 'base64');
    if (data.length > 0 && stdin.writable) {
      await new Promise<void>((resolve) => stdin.write(data, () => resolve()));
    }
    if (attrOf(stream, 'End')?.toLowerCase() === 'true' && stdin.writable) stdin.end();
  }
  return responses.sendResponse(req.messageId);
}

async function receive(req: WsmanRequest, shells: ShellRegistry, ctx: CallContext): Promise<string> {
  const shell = shells.get(req.selectors['ShellId'], ctx.user);
  const desired = child(child(req.body, 'Receive'), 'DesiredStream');
  const target = shells.command(shell, attrOf(desired, 'CommandId'));
  const timeout = Math.min(req.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS, MAX_OPERATION_TIMEOUT_MS);
  shell.busy += 1;
  let hasNews: boolean;
  try {
    hasNews = await target.waitForNews(timeout, ctx.signal);
  } finally {
    shell.busy -= 1;
    shell.lastActivity = Date.now();
  }
  if (!hasNews) throw faults.timedOut();
  if (target.stdoutEnded && target.stderrEnded && target.exitCode === undefined) {
    // The streams closed a moment before the exit code settles: report both in one response.
    await Promise.race([target.process.exit.catch(() => 1), new Promise((r) => setTimeout(r, 50))]);
    await new Promise((r) => setImmediate(r));
  }
  const envelopeLimit = Math.min(req.maxEnvelopeSize ?? ctx.maxEnvelopeSize, ctx.maxEnvelopeSize);
  const chunks = target.take(Math.max(1024, Math.floor(((envelopeLimit - ENVELOPE_OVERHEAD) * 3) / 4)));
  const ended: Array<'stdout' | 'stderr'> = [];
  const drained = target.chunks.length === 0;
  if (drained && target.stdoutEnded && !target.endReported.stdout) { ended.push('stdout'); target.endReported.stdout = true; }
  if (drained && target.stderrEnded && !target.endReported.stderr) { ended.push('stderr'); target.endReported.stderr = true; }
  const exitCode = drained && target.finished ? target.exitCode : undefined;
  return responses.receiveResponse(req.messageId, { commandId: target.id, chunks, ended, exitCode });
}

function signal(req: WsmanRequest, shells: ShellRegistry, ctx: CallContext): string {
  const shell = shells.get(req.selectors['ShellId'], ctx.user);
  const node = child(req.body, 'Signal');
  const commandId = attrOf(node, 'CommandId');
  const code = textOf(node?.['Code']).trim();
  if (code === SIGNAL.terminate) shells.terminate(shell, commandId ?? '', true);
  else if (code === SIGNAL.ctrlC || code === SIGNAL.ctrlBreak) shells.terminate(shell, commandId ?? '', false);
  else throw faults.schemaValidation(`Unknown signal code ${code}.`);
  return responses.signalResponse(req.messageId);
}
