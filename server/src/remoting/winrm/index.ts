/**
 * WS-Management WinRS transport (DESIGN §3). `createWinrmTransport` is what the transport
 * factory uses; the probes and the one-exchange client serve `aetherv doctor` and tests.
 */
import type { RemotingSettings } from '../settings.ts';
import type { WinrmLogger } from './client.ts';
import { WinrmTransport } from './transport.ts';

export interface CreateWinrmTransportOptions {
  /** pino-compatible logger (debug per exchange, warn on background failures). */
  logger?: WinrmLogger;
  /** Connect here instead of resolving the host name (simulator loopback). */
  address?: string;
  /** Called once per SOAP exchange with its action: Create, Command, Send, Receive, Signal, Delete, Identify. */
  exchangeCounter?: (action: string) => void;
  /** Commands run at once in the host's shared shell (default 4). */
  maxConcurrentCommands?: number;
  /** Environment variables of the pooled shell (rsp:Environment). */
  environment?: Record<string, string>;
}

export function createWinrmTransport(host: string, settings: RemotingSettings, options: CreateWinrmTransportOptions = {}): WinrmTransport {
  return new WinrmTransport(host, settings, options);
}

export { WinrmTransport } from './transport.ts';
export { WinrmClient, type WinrmClientOptions, type WinrmLogger, type IdentifyResult } from './client.ts';
export { probeAuthentication, probeShell, type ProbeOptions } from './probes.ts';
export { checkTransportSecurity } from './auth/select.ts';
export { parseFault, faultToError, type WsmanFault } from './faults.ts';
