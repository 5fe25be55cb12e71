import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentCommand, encodedCommand, normaliseInstallDirectory } from '../../server/src/agent/command.ts';

describe('agent command lines', () => {
  it('is exactly the DESIGN §3 command with the path quoted', () => {
    assert.equal(agentCommand('C:\\Program Files\\Aether-V'),
      'powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\\Program Files\\Aether-V\\AetherV.Agent.ps1"');
    assert.equal(agentCommand('\\\\fs01\\share\\Aether V\\'), 'powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "\\\\fs01\\share\\Aether V\\AetherV.Agent.ps1"');
    assert.equal(agentCommand('D:\\'), 'powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "D:\\AetherV.Agent.ps1"');
  });

  it('refuses directories that cannot be one quoted argument or are not absolute', () => {
    for (const bad of ['relative\\dir', 'C:\\a"b', 'C:\\100%dir', 'C:\\a|b', 'C:\\x\ny', '/opt/aetherv', '']) {
      assert.throws(() => normaliseInstallDirectory(bad), /HOST_INSTALL_DIRECTORY/, bad);
    }
    assert.equal(normaliseInstallDirectory('C:\\Aether & Co\\'), 'C:\\Aether & Co');
  });

  it('encodes a script as base64 of UTF-16LE for -EncodedCommand', () => {
    const script = "# aetherv-bootstrap: version\n$x = 'é'";
    const command = encodedCommand(script);
    const b64 = command.split(' -EncodedCommand ')[1]!;
    assert.equal(Buffer.from(b64, 'base64').toString('utf16le'), script);
    assert.ok(command.startsWith('powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand '));
  });
});
