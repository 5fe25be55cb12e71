/**
 * What the HTTP client needs from an authentication method. Basic authenticates every
 * request; NTLM and Kerberos authenticate the TCP connection once with a handshake (the
 * host remembers the connection), so the client keeps those sockets alive and reuses them.
 */
/** One WWW-Authenticate challenge: its scheme name and the (base64) token after it, if any. */
export interface Challenge {
  scheme: string;
  token: string | undefined;
}

/** What the handshake may bind to: the TLS connection the challenge arrived on. */
export interface TlsChannel {
  /** The host's certificate (DER), for RFC 5929 tls-server-end-point channel binding. */
  peerCertificate: Buffer | undefined;
}

export interface AuthHandshake {
  /**
   * The Authorization header value for the next leg. Called first with undefined, then with
   * the token of each 401 challenge (the WWW-Authenticate value after the scheme name).
   */
  step(challenge: Challenge | undefined, channel?: TlsChannel): Promise<string>;
  /** Whether the leg just produced should carry the SOAP body (NTLM's Negotiate leg does not). */
  readonly carriesBody: boolean;
  /** Checks the final (non-401) response's token, e.g. Kerberos mutual authentication. */
  finish(token: string | undefined): Promise<void>;
}

export interface AuthScheme {
  readonly name: 'basic' | 'ntlm' | 'kerberos';
  readonly connectionBound: boolean;
  /** Scheme names accepted in WWW-Authenticate challenges, most preferred first. */
  readonly challengeSchemes: readonly string[];
  /** Header for every request (Basic only). */
  requestHeader?(): string;
  startHandshake?(): Promise<AuthHandshake>;
  /** Human hint appended to REMOTE_AUTH errors. */
  readonly rejectionHint: string;
}
