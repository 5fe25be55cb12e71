/**
 * One transport per host for the whole process, so every caller shares the host's open
 * connection or shell. Settings are fixed for the pool's life; a host can be evicted (its
 * connection closed) when its configuration or address changes.
 */
import { createTransport, type CreateTransportOptions, type RemotingLogger } from './index.ts';
import type { RemotingSettings } from './settings.ts';
import type { HostTransport } from './transport.ts';
import { AppError } from '../errors.ts';

export type TransportFactory = (host: string, settings: RemotingSettings, options: CreateTransportOptions) => HostTransport;

export interface TransportPoolOptions {
  logger?: RemotingLogger;
  /** Where to connect for a host, when not its name (e.g. the simulated laboratory's loopback addresses). */
  resolveAddress?: (host: string) => string | undefined;
  /** Defaults to createTransport (WinRM or SSH by settings.transport). */
  factory?: TransportFactory;
}

export class TransportPool {
  private readonly transports = new Map<string, HostTransport>();
  private closed = false;

  constructor(
    readonly settings: RemotingSettings,
    private readonly options: TransportPoolOptions = {},
  ) {}

  get(host: string): HostTransport {
    // After close() (shutdown) nothing may open new connections: a retry would outlive the process.
    if (this.closed) throw new AppError('REMOTE_CANCELLED', `the orchestrator is shutting down; no new call to ${host}`, { details: { host } });
    const existing = this.transports.get(host);
    if (existing) return existing;
    const factory = this.options.factory ?? createTransport;
    const address = this.options.resolveAddress?.(host);
    const transport = factory(host, this.settings, { ...(this.options.logger ? { logger: this.options.logger } : {}), ...(address ? { address } : {}) });
    this.transports.set(host, transport);
    return transport;
  }

  kind(_host: string): 'winrm' | 'ssh' {
    return this.settings.transport;
  }

  async evict(host: string): Promise<void> {
    const transport = this.transports.get(host);
    this.transports.delete(host);
    await transport?.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.transports.values()];
    this.transports.clear();
    await Promise.allSettled(all.map((t) => t.close()));
  }
}
