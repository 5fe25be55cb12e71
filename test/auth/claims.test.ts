import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { principalFromClaims, roleFromClaims } from '../../server/src/auth/claims.ts';
import { safeReturnPath } from '../../server/src/auth/session.ts';

const mapping = { reader: ['vm-reader', 'Aether.Reader'], writer: ['vm-writer'], admin: ['vm-admin', '0b1c2d3e-group-id'] };

describe('claims → roles', () => {
  it('reads roles, groups, scp and scope, case-insensitively and by last path segment', () => {
    assert.equal(roleFromClaims({ roles: ['VM-Writer'] }, mapping), 'writer');
    assert.equal(roleFromClaims({ groups: ['0b1c2d3e-group-id'] }, mapping), 'admin');
    assert.equal(roleFromClaims({ scp: 'openid api://aetherv/Aether.Reader' }, mapping), 'reader');
    assert.equal(roleFromClaims({ scope: 'urn:aetherv:vm-writer other' }, mapping), 'writer');
    assert.equal(roleFromClaims({ roles: ['vm-reader', 'vm-admin'] }, mapping), 'admin', 'the highest role wins');
  });

  it('grants nothing for unrelated or look-alike values', () => {
    assert.equal(roleFromClaims({ roles: ['vm-writers', 'writer'], scp: 'vm-reader-x', name: 'vm-admin' }, mapping), null);
    assert.equal(roleFromClaims({ roles: 'vm-admin' }, mapping), null, 'roles must be a list');
  });

  it('tells service principals from people and names them', () => {
    const app = principalFromClaims({ sub: 'c1', client_id: 'c1', roles: ['vm-writer'] }, mapping, 'bearer');
    assert.equal(app.kind, 'service-principal');
    assert.equal(app.name, 'c1');
    const entraApp = principalFromClaims({ sub: 'oid-1', idtyp: 'app', app_displayname: 'Backup', roles: ['vm-reader'] }, mapping, 'bearer');
    assert.equal(entraApp.kind, 'service-principal');
    assert.equal(entraApp.name, 'Backup');
    const person = principalFromClaims({ sub: 'u1', preferred_username: 'alice@contoso.com', azp: 'web' }, mapping, 'session');
    assert.equal(person.kind, 'user');
    assert.deepEqual(person.roles, []);
  });
});

describe('return paths after sign-in', () => {
  it('keeps local paths and refuses everything that could leave the site', () => {
    assert.equal(safeReturnPath('/vms?state=Running#top'), '/vms?state=Running#top');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/ok\r\nSet-Cookie: x=1', '', undefined, 42, `/${'a'.repeat(3000)}`]) {
      assert.equal(safeReturnPath(bad), '/', String(bad));
    }
  });
});
