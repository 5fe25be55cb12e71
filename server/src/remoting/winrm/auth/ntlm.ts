/**
 * NTLM over HTTP (auth only): Negotiate → 401 Challenge → Authenticate with the SOAP body.
 * Windows' WinRM listener offers NTLM inside the "Negotiate" scheme (raw NTLMSSP tokens are
 * accepted there); a server that only offers "NTLM" is answered in that scheme instead.
 */
import { AppError } from '../../../errors.ts';
import type { AuthHandshake, AuthScheme, Challenge, TlsChannel } from './scheme.ts';
import { ntlmChannelBindingHash } from './channel-binding.ts';
import { CLIENT_FLAGS, computeNtlmV2, decodeChallenge, encodeAuthenticate, encodeNegotiate, splitAccount } from './ntlm-messages.ts';

export function ntlmAuth(username: string | undefined, password: string | undefined): AuthScheme {
  if (!username || password === undefined) {
    throw new AppError('CONFIG_INVALID', 'WinRM NTLM authentication needs WINRM_USERNAME (DOMAIN\\user or user) and WINRM_PASSWORD');
  }
  const account = splitAccount(username);
  return {
    name: 'ntlm',
    connectionBound: true,
    challengeSchemes: ['Negotiate', 'NTLM'],
    startHandshake: async () => new NtlmHandshake(account.user, account.domain, password),
    rejectionHint: `NTLM credentials for "${username}" were refused (wrong user/password/domain, or the account may not log on remotely).`,
  };
}

class NtlmHandshake implements AuthHandshake {
  carriesBody = false;
  private scheme = 'Negotiate';
  private readonly user: string;
  private readonly domain: string;
  private readonly password: string;
  private sentAuthenticate = false;
  private sentNegotiate = false;

  constructor(user: string, domain: string, password: string) {
    this.user = user;
    this.domain = domain;
    this.password = password;
  }

  async step(challenge: Challenge | undefined, channel?: TlsChannel): Promise<string> {
    if (challenge === undefined || challenge.token === undefined) {
      // A bare challenge after our Negotiate message in the same scheme is a refusal.
      if (this.sentAuthenticate || (challenge !== undefined && this.sentNegotiate && sameScheme(challenge.scheme, this.scheme))) throw rejected();
      // First leg, or the host only knows the other scheme name: (re)start with a Negotiate message.
      if (challenge !== undefined) this.scheme = challenge.scheme;
      this.sentNegotiate = true;
      this.carriesBody = false;
      return `${this.scheme} ${encodeNegotiate().toString('base64')}`;
    }
    if (this.sentAuthenticate) throw rejected();
    this.scheme = challenge.scheme;
    const parsed = decodeChallenge(Buffer.from(challenge.token, 'base64'));
    const responses = computeNtlmV2({
      user: this.user, domain: this.domain, password: this.password,
      serverChallenge: parsed.serverChallenge, targetInfo: parsed.targetInfo,
      ...(channel?.peerCertificate === undefined ? {} : { channelBindingHash: ntlmChannelBindingHash(channel.peerCertificate) }),
    });
    this.sentAuthenticate = true;
    this.carriesBody = true;
    const message = encodeAuthenticate({
      flags: (parsed.flags & CLIENT_FLAGS) | 0x1,
      user: this.user, domain: this.domain, workstation: '',
      lmChallengeResponse: responses.lmChallengeResponse,
      ntChallengeResponse: responses.ntChallengeResponse,
    });
    return `${this.scheme} ${message.toString('base64')}`;
  }

  async finish(): Promise<void> {
    // NTLM has no mutual authentication token to check.
  }
}

function sameScheme(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function rejected(): AppError {
  return new AppError('REMOTE_AUTH', 'NTLM authentication was rejected');
}
