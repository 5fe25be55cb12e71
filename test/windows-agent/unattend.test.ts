/**
 * Windows/unattend.xml: well-formed, starts the bootstrapper in the specialize pass from the volume
 * labelled WINPROVISIONING (no drive letter assumed), answers every page of Windows Server's OOBE
 * (International-Core; the Administrator password with a per-build throw-away that SetupComplete
 * replaces), and bakes in no fixed password.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { windowsRoot } from './ps-tree.ts';
import { THROWAWAY_TOKEN, withThrowawayPassword } from '../../server/src/artifacts/unattend-password.ts';

const xml = readFileSync(join(windowsRoot, 'unattend.xml'), 'utf8');

type XmlNode = { [key: string]: unknown };

const parsed = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['settings', 'component', 'RunSynchronousCommand'].includes(name),
}).parse(xml) as XmlNode;

const unattend = parsed.unattend as XmlNode;
const settings = unattend.settings as XmlNode[];

function components(pass: string): XmlNode[] {
  return settings.filter((s) => s['@_pass'] === pass).flatMap((s) => (s.component as XmlNode[] | undefined) ?? []);
}

function elementNames(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => elementNames(child, into));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (!key.startsWith('@_')) into.push(key);
      elementNames(value, into);
    }
  }
  return into;
}

function specializeCommands(): XmlNode[] {
  const deployment = components('specialize').filter((c) => c['@_name'] === 'Microsoft-Windows-Deployment');
  assert.equal(deployment.length, 1, 'one Microsoft-Windows-Deployment component in the specialize pass');
  const run = (deployment[0] as XmlNode).RunSynchronous as XmlNode;
  return run.RunSynchronousCommand as XmlNode[];
}

describe('Windows/unattend.xml', () => {
  it('is well-formed XML in the unattend namespace', () => {
    assert.equal(XMLValidator.validate(xml), true);
    assert.equal(unattend['@_xmlns'], 'urn:schemas-microsoft-com:unattend');
    assert.equal(unattend['@_xmlns:wcm'], 'http://schemas.microsoft.com/WMIConfig/2002/State');
  });

  it('declares every component for amd64 with the Windows public key token', () => {
    const all = settings.flatMap((s) => (s.component as XmlNode[] | undefined) ?? []);
    assert.ok(all.length >= 2);
    for (const component of all) {
      assert.equal(component['@_processorArchitecture'], 'amd64', String(component['@_name']));
      assert.equal(component['@_publicKeyToken'], '31bf3856ad364e35', String(component['@_name']));
      assert.equal(component['@_language'], 'neutral');
    }
  });

  it('starts the bootstrapper synchronously in the specialize pass', () => {
    const commands = specializeCommands();
    assert.equal(commands.length, 1);
    const command = commands[0] as XmlNode;
    assert.equal(command['@_wcm:action'], 'add');
    assert.equal(command.Order, '1');
    assert.equal(command.WillReboot, 'Never');
    const path = String(command.Path);
    assert.match(path, /AetherV\.Bootstrap\.ps1/);
    assert.ok(existsSync(join(windowsRoot, 'AetherV.Bootstrap.ps1')), 'the script it starts is on the ISO');
    assert.match(path, /-ExecutionPolicy Bypass/);
    assert.match(path, /-NoProfile/);
    // Windows Setup refuses longer RunSynchronousCommand paths.
    assert.ok(path.length <= 259, `Path is ${path.length} characters; the limit is 259`);
  });

  it('finds the ISO by its label WINPROVISIONING, never by a fixed drive letter', () => {
    const path = String((specializeCommands()[0] as XmlNode).Path);
    assert.match(path, /WINPROVISIONING/);
    // The label is checked on the volume before the script is run from it.
    assert.match(path, /vol %d: 2>nul \| findstr \/c:WINPROVISIONING >nul && if exist %d:\\AetherV\.Bootstrap\.ps1 /);
    assert.doesNotMatch(path, /(^|[^%a-z])[C-Zc-z]:\\/, 'no hard-coded drive letter');
    // Every letter an attached DVD can get is tried.
    const letters = /for %d in \(([A-Z ]+)\)/.exec(path)?.[1]?.split(' ');
    assert.deepEqual(letters, 'DEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
  });

  it('answers OOBE\'s region and keyboard page: International-Core in oobeSystem with all four settings', () => {
    const international = components('oobeSystem').filter((c) => c['@_name'] === 'Microsoft-Windows-International-Core');
    assert.equal(international.length, 1, 'one Microsoft-Windows-International-Core component in oobeSystem');
    const core = international[0] as XmlNode;
    assert.match(String(core.InputLocale), /^(?:[0-9A-Fa-f]{4}:[0-9A-Fa-f]{8}|[a-z]{2,3}-[A-Z]{2})$/, 'InputLocale: 0409:00000409 or a language tag');
    for (const setting of ['SystemLocale', 'UILanguage', 'UserLocale']) assert.match(String(core[setting]), /^[a-z]{2,3}-[A-Z]{2}$/, setting);
    // No time zone is forced: the golden image's own stays.
    assert.ok(!elementNames(parsed).includes('TimeZone'));
  });

  it('answers the Administrator password page with the build token only: no fixed password, no auto-logon, no accounts', () => {
    const shell = components('oobeSystem').filter((c) => c['@_name'] === 'Microsoft-Windows-Shell-Setup');
    assert.equal(shell.length, 1);
    const accounts = (shell[0] as XmlNode).UserAccounts as XmlNode;
    assert.deepEqual(Object.keys(accounts), ['AdministratorPassword'], 'no LocalAccounts or DomainAccounts');
    const password = accounts.AdministratorPassword as XmlNode;
    assert.equal(password.Value, THROWAWAY_TOKEN, 'the build replaces it with a per-build value');
    assert.equal(password.PlainText, 'true');
    const names = elementNames(parsed);
    for (const forbidden of [/autologon/i, /^LocalAccounts?$/, /^DomainAccounts$/, /^Credentials$/, /^Password$/]) {
      assert.deepEqual(names.filter((n) => forbidden.test(n)), [], String(forbidden));
    }
    // The only value anywhere that could be a password is the token.
    const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
    assert.equal(withoutComments.split(THROWAWAY_TOKEN).length, 2);
    assert.doesNotMatch(withoutComments, /autologon/i);
  });

  it('the build puts in a per-build value: reproducible for equal inputs, different when anything changes, never the token', () => {
    const files = [{ path: 'unattend.xml', data: Buffer.from(xml) }, { path: 'version', data: Buffer.from('1.0.0\n') }];
    const built = withThrowawayPassword(files);
    const value = /<Value>([^<]*)<\/Value>/.exec(built[0]!.data.toString('utf8'))?.[1] ?? '';
    assert.notEqual(value, THROWAWAY_TOKEN);
    assert.match(value, /^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])(?=.*[^A-Za-z0-9]).{32}$/, 'complex, 32 characters');
    assert.deepEqual(withThrowawayPassword(files), built, 'same inputs, same bytes');
    const next = withThrowawayPassword([files[0]!, { path: 'version', data: Buffer.from('1.0.1\n') }]);
    assert.notEqual(/<Value>([^<]*)<\/Value>/.exec(next[0]!.data.toString('utf8'))?.[1], value, 'a new version, a new value');
    assert.throws(() => withThrowawayPassword([{ path: 'unattend.xml', data: Buffer.from(`${THROWAWAY_TOKEN} ${THROWAWAY_TOKEN}`) }]), /once/);
  });

  it('SetupComplete.cmd replaces the throw-away password after OOBE, from the bootstrapper the specialize pass installs', () => {
    const bootstrap = readFileSync(join(windowsRoot, 'AetherV.Bootstrap.ps1'), 'utf8');
    assert.match(bootstrap, /Add-SetupCompleteFallback -Switch '-ResetAdministratorPassword'/);
    assert.match(bootstrap, /Reset-GuestBuiltinAdministratorPassword/);
    const module = readFileSync(join(windowsRoot, 'Modules', 'AetherV.BuiltinAdmin.psm1'), 'utf8');
    assert.match(module, /-500\$/, 'the built-in Administrator is found by RID 500, not by its localised name');
    assert.doesNotMatch(module, /Write-AgentLog|Write-Host|Write-Output|Out-File|Set-Content/, 'the new password is never written anywhere');
  });
});
