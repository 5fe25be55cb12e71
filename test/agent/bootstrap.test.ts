import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient } from '../../server/src/agent/client.ts';
import { compactScript } from '../../server/src/agent/compact-script.ts';
import { BootstrapRunner, loadBootstrapScripts } from '../../server/src/agent/bootstrap.ts';
import { COMMAND_LINE_LIMIT, encodedCommand } from '../../server/src/agent/command.ts';
import { FakeHosts } from './fake-transport.ts';

describe('bootstrap scripts', () => {
  it('finds version, stage and install in Powershell/bootstrap by their marker, each short enough for cmd.exe over SSH', async () => {
    const scripts = await loadBootstrapScripts();
    assert.deepEqual([...scripts.keys()].sort(), ['install', 'stage', 'version']);
    for (const [name, text] of scripts) {
      // What the runner sends: the script without comments and indentation.
      const length = encodedCommand(compactScript(text)).length;
      assert.ok(length <= COMMAND_LINE_LIMIT.ssh, `${name}: ${length} characters > ${COMMAND_LINE_LIMIT.ssh} (cmd.exe limit); shorten the script`);
    }
  });

  it('sends the script with -EncodedCommand and the params as JSON on stdin, and reads a result with id null', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aetherv-bootstrap-'));
    try {
      const script = '# aetherv-bootstrap: version\r\n$in = [Console]::In.ReadToEnd()\r\n';
      await writeFile(join(dir, 'Any-Name.ps1'), script);
      await writeFile(join(dir, 'notes.ps1'), '# not a bootstrap script\r\n');
      const hosts = new FakeHosts(() => ({ lines: [JSON.stringify({ type: 'result', id: null, ok: true, result: { installed: false } })] }));
      // The fake parses stdin as an agent request; a bootstrap's stdin is the params object itself.
      const client = new AgentClient({ transports: hosts, validator: null, retry: { retries: 0 } });
      const runner = new BootstrapRunner({ client, transportKind: () => 'ssh', directory: dir, validator: null });
      const result = await runner.run('hv01', 'version', { installDirectory: 'C:\\Program Files\\Aether-V' });
      assert.deepEqual(result, { installed: false });
      const run = hosts.runs[0]!;
      assert.deepEqual(run.request, { installDirectory: 'C:\\Program Files\\Aether-V' });
      const b64 = run.options.command.split(' -EncodedCommand ')[1]!;
      assert.equal(Buffer.from(b64, 'base64').toString('utf16le'), compactScript(script));
      assert.equal(compactScript(script), '# aetherv-bootstrap: version\n$in = [Console]::In.ReadToEnd()');

      // Comments are not sent, so only statements make a script too long.
      await writeFile(join(dir, 'Big.ps1'), `# aetherv-bootstrap: stage\r\n${'$padding = 1\r\n'.repeat(300)}`);
      const fresh = new BootstrapRunner({ client, transportKind: () => 'ssh', directory: dir, validator: null });
      await assert.rejects(fresh.run('hv01', 'stage', {} as never), /over the 8191 Windows allows over ssh/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
