/**
 * Windows/unattend.xml: well-formed, starts the bootstrapper in the specialize pass from the volume
 * labelled WINPROVISIONING (no drive letter assumed), and bakes in no password.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { windowsRoot } from './ps-tree.ts';

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

  it('contains no password, auto-logon or account element anywhere', () => {
    const names = elementNames(parsed);
    for (const forbidden of [/password/i, /autologon/i, /^UserAccounts$/, /^LocalAccounts?$/, /^Credentials$/]) {
      assert.deepEqual(names.filter((n) => forbidden.test(n)), [], String(forbidden));
    }
    // Not in any value or attribute either (comments may explain that there is none).
    const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
    assert.doesNotMatch(withoutComments, /password|autologon/i);
  });

  it('does not force a time zone or locale on the golden image', () => {
    const names = elementNames(parsed);
    for (const forced of ['TimeZone', 'InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale']) assert.ok(!names.includes(forced), forced);
  });
});
