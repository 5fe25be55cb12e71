/**
 * The transport factory: the one place that knows which HostTransport reaches a host
 * (HOST_TRANSPORT). Everything above it sees only HostTransport.
 */
import type { RemotingSettings } from './settings.ts';
import type { HostTransport } from './transport.ts';
import { createSshTransport } from './ssh/index.ts';
import { createWinrmTransport } from './winrm/index.ts';

import type { RemotingLogger } from './transport.ts';

export type { RemotingLogger };

export interface CreateTransportOptions {
  logger?: RemotingLogger;
  /** Connect to this address instead of resolving the host name. */
  address?: string;
  /** WinRM only: called once per SOAP exchange with its action (tests count the hot path). */
  exchangeCounter?: (action: string) => void;
}

export function createTransport(host: string, settings: RemotingSettings, options: CreateTransportOptions = {}): HostTransport {
  const { logger, address } = options;
  const common = { ...(logger ? { logger } : {}), ...(address ? { address } : {}) };
  if (settings.transport === 'ssh') return createSshTransport(host, settings, common);
  return createWinrmTransport(host, settings, { ...common, ...(options.exchangeCounter ? { exchangeCounter: options.exchangeCounter } : {}) });
}

export type { HostTransport, RunCommandOptions, RunCommandResult } from './transport.ts';
export type { RemotingSettings, WinrmSettings, SshSettings, WinrmAuth } from './settings.ts';
