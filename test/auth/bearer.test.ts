/** The JWKS is fetched once and cached, and fetched again when a token names a key not seen yet (key rotation). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { BearerVerifier } from '../../server/src/auth/bearer.ts';

describe('bearer verification against a rotating JWKS', () => {
  let server: Server;
  let jwksUri = '';
  let fetches = 0;
  const published: JWK[] = [];
  const issuer = 'https://idp.example.test/tenant/v2.0';

  before(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/keys`;
  });
  after(async () => { await new Promise<void>((resolve) => server.close(() => resolve())); });

  async function newKey(kid: string): Promise<CryptoKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    published.push({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' });
    return privateKey;
  }
  const token = (key: CryptoKey, kid: string) => new SignJWT({ roles: ['vm-reader'] }).setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(issuer).setAudience('api://aetherv').setSubject('svc').setIssuedAt().setExpirationTime('5m').sign(key);

  it('caches the keys, and refetches for an unknown kid', async () => {
    const verifier = new BearerVerifier({ metadata: async () => ({ issuer, jwksUri }), audiences: ['api://aetherv'], jwksCooldownMs: 0 });
    const first = await newKey('k1');
    assert.equal((await verifier.verify(await token(first, 'k1'))).sub, 'svc');
    assert.equal((await verifier.verify(await token(first, 'k1'))).sub, 'svc');
    assert.equal(fetches, 1, 'the second token used the cached keys');
    const rotated = await newKey('k2');
    assert.equal((await verifier.verify(await token(rotated, 'k2'))).sub, 'svc');
    assert.equal(fetches, 2, 'an unknown kid fetched the keys again');
    await assert.rejects(verifier.verify(await token(rotated, 'k-never-published')));
  });
});
