/**
 * The WinRS operations, one SOAP exchange each: Create/Delete shell, Command, Send,
 * Receive, Signal — plus WS-Man Identify for probing authentication. Stateless apart from
 * the HTTP connection pool; shell reuse and call orchestration live in transport.ts.
 */
import { AppError } from '../../errors.ts';
import type { WinrmSettings } from '../settings.ts';
import type { RemotingLogger } from '../transport.ts';
import { createAuthScheme } from './auth/select.ts';
import { buildCommand, parseCommandResponse } from './command.ts';
import { faultToError, isOperationTimeout, parseFault } from './faults.ts';
import { WinrmHttpClient } from './http-client.ts';
import type { ShellAction } from './namespaces.ts';
import { NS } from './namespaces.ts';
import { buildReceive, parseReceiveResponse, type ReceiveResult } from './receive.ts';
import { child, parseEnvelope, text, type ParsedEnvelope } from './response.ts';
import { buildSend } from './send.ts';
import { buildCreateShell, buildDeleteShell, parseCreateShellResponse, type CreateShellOptions, type RequestContext } from './shell.ts';
import { buildSignalTerminate } from './signal.ts';

export type WinrmLogger = RemotingLogger;

export interface WinrmClientOptions {
  /** Connect to this address instead of resolving the host name. */
  address?: string;
  connectTimeoutMs?: number;
  logger?: WinrmLogger;
  /** Called once per SOAP exchange with its action (Create, Command, Send, Receive, Signal, Delete, Identify). */
  exchangeCounter?: (action: string) => void;
}

export interface IdentifyResult {
  productVendor: string | undefined;
  productVersion: string | undefined;
  protocolVersion: string | undefined;
}

type ExchangeAction = ShellAction | 'Identify';

export class WinrmClient {
  readonly host: string;
  readonly settings: WinrmSettings;
  private readonly http: WinrmHttpClient;
  private readonly options: WinrmClientOptions;

  constructor(host: string, settings: WinrmSettings, options: WinrmClientOptions = {}) {
    this.host = host;
    this.settings = settings;
    this.options = options;
    this.http = new WinrmHttpClient({
      host,
      ...(options.address === undefined ? {} : { address: options.address }),
      port: settings.port,
      useTls: settings.useTls,
      ...(settings.caFile === undefined ? {} : { caFile: settings.caFile }),
      insecureSkipTlsVerify: settings.insecureSkipTlsVerify,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      // A Receive legitimately waits OperationTimeout; allow generous slack beyond it.
      responseTimeoutMs: (settings.operationTimeoutSeconds + 30) * 1000,
    }, createAuthScheme(host, settings));
  }

  get url(): string {
    return this.http.url;
  }

  async createShell(options: CreateShellOptions = {}, signal?: AbortSignal): Promise<string> {
    const envelope = await this.exchange('Create', buildCreateShell(this.context(), options), signal);
    return parseCreateShellResponse(envelope.body);
  }

  async deleteShell(shellId: string, signal?: AbortSignal): Promise<void> {
    await this.exchange('Delete', buildDeleteShell(this.context(), shellId), signal);
  }

  async command(shellId: string, commandLine: string, signal?: AbortSignal): Promise<string> {
    const envelope = await this.exchange('Command', buildCommand(this.context(), shellId, commandLine), signal);
    return parseCommandResponse(envelope.body);
  }

  async send(shellId: string, commandId: string, data: Buffer, end: boolean, signal?: AbortSignal): Promise<void> {
    await this.exchange('Send', buildSend(this.context(), shellId, commandId, data, end), signal);
  }

  /** One Receive; an OperationTimeout fault yields an empty, not-done result ("poll again"). */
  async receive(shellId: string, commandId: string, signal?: AbortSignal): Promise<ReceiveResult> {
    const envelope = await this.exchange('Receive', buildReceive(this.context(), shellId, commandId), signal, isOperationTimeout);
    if (envelope === 'timed-out') return { chunks: [], done: false, exitCode: undefined };
    return parseReceiveResponse(envelope.body, commandId);
  }

  async signalTerminate(shellId: string, commandId: string, signal?: AbortSignal): Promise<void> {
    await this.exchange('Signal', buildSignalTerminate(this.context(), shellId, commandId), signal);
  }

  /**
   * WS-Man Identify, authenticated: proves the credentials work without creating anything.
   * Any answer but 401 means we got past authentication; vendor/version when the host says.
   */
  async identify(signal?: AbortSignal): Promise<IdentifyResult> {
    const xml = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.s}" xmlns:wsmid="${NS.wsmid}"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`;
    this.options.exchangeCounter?.('Identify');
    const response = await this.http.post(xml, signal);
    let body: ParsedEnvelope['body'] | undefined;
    try {
      body = parseEnvelope(response.body).body;
    } catch {
      body = undefined;
    }
    const identity = child(body, 'IdentifyResponse');
    return {
      productVendor: text(child(identity, 'ProductVendor')),
      productVersion: text(child(identity, 'ProductVersion')),
      protocolVersion: text(child(identity, 'ProtocolVersion')),
    };
  }

  close(): void {
    this.http.close();
  }

  private context(): RequestContext {
    return { to: this.http.url, maxEnvelopeSize: this.settings.maxEnvelopeSize, operationTimeoutSeconds: this.settings.operationTimeoutSeconds };
  }

  private async exchange(action: ExchangeAction, xml: string, signal: AbortSignal | undefined): Promise<ParsedEnvelope>;
  private async exchange(action: ExchangeAction, xml: string, signal: AbortSignal | undefined, tolerated: (f: NonNullable<ReturnType<typeof parseFault>>) => boolean): Promise<ParsedEnvelope | 'timed-out'>;
  private async exchange(
    action: ExchangeAction, xml: string, signal: AbortSignal | undefined,
    tolerated?: (f: NonNullable<ReturnType<typeof parseFault>>) => boolean,
  ): Promise<ParsedEnvelope | 'timed-out'> {
    this.options.exchangeCounter?.(action);
    const started = Date.now();
    const response = await this.http.post(xml, signal);
    this.options.logger?.debug({ host: this.host, action, status: response.status, ms: Date.now() - started }, 'winrm exchange');
    const looksLikeSoap = /<([\w-]+:)?Envelope[\s>]/.test(response.body);
    if (!looksLikeSoap) throw statusError(this.host, action, response.status);
    const envelope = parseEnvelope(response.body);
    const fault = parseFault(envelope.body);
    if (fault !== undefined) {
      if (tolerated?.(fault)) return 'timed-out';
      throw faultToError(fault, this.host, action);
    }
    if (response.status !== 200) throw statusError(this.host, action, response.status);
    return envelope;
  }
}

function statusError(host: string, action: string, status: number): AppError {
  const details = { host, action, httpStatus: status };
  if (status === 403) {
    return new AppError('REMOTE_ACCESS_DENIED', `${host} answered HTTP 403 to ${action}: the account authenticated but is not allowed to use WinRM.`, { details });
  }
  if (status === 404) {
    return new AppError('REMOTE_PROTOCOL', `${host} has no WS-Management endpoint at /wsman (HTTP 404 on ${action}); is this port a WinRM listener?`, { details });
  }
  return new AppError('REMOTE_PROTOCOL', `${host} answered HTTP ${status} without a SOAP envelope to ${action}`, { details });
}
