/**
 * Kerberos (SPNEGO) acceptance through the `kerberos` package: the service key comes from the
 * keytab named by KRB5_KTNAME, which MIT krb5 reads from the process environment.
 */
import { createRequire } from 'node:module';
import type { KerberosServer } from 'kerberos';

type KerberosModule = { initializeServer(service: string): Promise<KerberosServer> };
let loaded: KerberosModule | undefined;

function kerberosModule(): KerberosModule {
  // Loaded on first use so a simulator without Kerberos never needs the native module.
  loaded ??= createRequire(import.meta.url)('kerberos') as KerberosModule;
  return loaded;
}

export interface KerberosAcceptorOptions {
  /** Keytab with the service keys (sets KRB5_KTNAME for this process). */
  keytab: string;
  /** e.g. `HTTP@hv-01.aetherv.test`; empty = any principal in the keytab, as a Windows host with several SPNs. */
  servicePrincipal: string;
}

export interface KerberosStep {
  /** The principal that authenticated, e.g. `alice@AETHERV.TEST`, once complete. */
  user?: string;
  /** Token for the client's `WWW-Authenticate: Negotiate <token>` (mutual authentication). */
  response?: string;
  complete: boolean;
}

export async function acceptKerberos(options: KerberosAcceptorOptions, tokenBase64: string): Promise<KerberosStep> {
  process.env['KRB5_KTNAME'] = options.keytab;
  const server = await kerberosModule().initializeServer(options.servicePrincipal);
  await server.step(tokenBase64);
  const step: KerberosStep = { complete: server.contextComplete };
  if (server.response) step.response = server.response;
  if (server.username) step.user = server.username;
  return step;
}
