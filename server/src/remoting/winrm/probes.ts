/**
 * Small step-by-step checks for `aetherv doctor`: each does one thing against a host and
 * fails with the same typed errors as real calls (REMOTE_DNS, REMOTE_CONNECT, REMOTE_TLS,
 * REMOTE_AUTH, ...), so doctor can name the failing step.
 */
import type { RemotingSettings } from '../settings.ts';
import { WinrmClient, type IdentifyResult, type WinrmLogger } from './client.ts';

export interface ProbeOptions {
  address?: string;
  logger?: WinrmLogger;
  signal?: AbortSignal;
}

function clientFor(host: string, settings: RemotingSettings, options: ProbeOptions): WinrmClient {
  return new WinrmClient(host, settings.winrm, {
    connectTimeoutMs: settings.connectTimeoutMs,
    ...(options.address === undefined ? {} : { address: options.address }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}

/** Authenticate only (WS-Man Identify): proves TCP, TLS and credentials; creates nothing. */
export async function probeAuthentication(host: string, settings: RemotingSettings, options: ProbeOptions = {}): Promise<IdentifyResult> {
  const client = clientFor(host, settings, options);
  try {
    return await client.identify(options.signal);
  } finally {
    client.close();
  }
}

/** Create a shell and delete it again: proves the account may use WinRS. Returns the shell id. */
export async function probeShell(host: string, settings: RemotingSettings, options: ProbeOptions = {}): Promise<{ shellId: string }> {
  const client = clientFor(host, settings, options);
  try {
    const shellId = await client.createShell({}, options.signal);
    await client.deleteShell(shellId, options.signal);
    return { shellId };
  } finally {
    client.close();
  }
}
