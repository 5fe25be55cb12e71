import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient } from '../../server/src/agent/client.ts';
import { BootstrapRunner, loadBootstrapScripts } from '../../server/src/agent/bootstrap.ts';
import { BOOTSTRAP_LOADER } from '../../server/src/agent/bootstrap-loader.ts';
import { bootstrapLoaderCommand, COMMAND_LINE_LIMIT } from '../../server/src/agent/command.ts';
import type { HostTransport, RunCommandOptions } from '../../server/src/remoting/transport.ts';

/** A host that records what it was sent and answers with one bootstrap result line. */
function recordingHost(sent: RunCommandOptions[], result: unknown): HostTransport {
  return {
    host: 'hv01',
    kind: 'ssh',
    close: async () => undefined,
    run: async (options) => {
      sent.push(options);
      const line = JSON.stringify({ type: 'result', id: null, ok: true, result });
      options.onStdoutLine?.(line);
      return { exitCode: 0, stdout: line, stderr: '' };
    },
  };
}

describe('bootstrap scripts', () => {
  it('finds version, stage and install in Powershell/bootstrap by their marker; the command line for each leaves 1,000 characters over SSH', async () => {
    const scripts = await loadBootstrapScripts();
    assert.deepEqual([...scripts.keys()].sort(), ['install', 'stage', 'version']);
    // Scripts travel on stdin: the command line is the loader alone, whatever the script.
    const length = bootstrapLoaderCommand().length;
    assert.ok(COMMAND_LINE_LIMIT.ssh - length >= 1000, `the loader makes ${length} characters; cmd.exe takes ${COMMAND_LINE_LIMIT.ssh}`);
  });

  it('runs the loader with -EncodedCommand, sends the script file whole on the first line of stdin and the params after it, and reads a result with id null', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aetherv-bootstrap-'));
    try {
      // A BOM, comments, indentation and CRLF: the file is sent as it is, BOM aside.
      const script = '\uFEFF# aetherv-bootstrap: version\r\n# a comment\r\nparam([string] $InputJson)\r\n    $in = $InputJson\r\n';
      await writeFile(join(dir, 'Any-Name.ps1'), script);
      await writeFile(join(dir, 'notes.ps1'), '# not a bootstrap script\r\n');
      const sent: RunCommandOptions[] = [];
      const client = new AgentClient({ transports: { get: () => recordingHost(sent, { installed: false }) }, validator: null, retry: { retries: 0 } });
      const runner = new BootstrapRunner({ client, transportKind: () => 'ssh', directory: dir, validator: null });
      const params = { installDirectory: 'C:\\Program Files\\Aether-V' };
      assert.deepEqual(await runner.run('hv01', 'version', params), { installed: false });

      const { command, stdin } = sent[0]!;
      assert.equal(command, bootstrapLoaderCommand());
      assert.equal(Buffer.from(command.split(' -EncodedCommand ')[1]!, 'base64').toString('utf16le'), BOOTSTRAP_LOADER);
      const text = String(stdin);
      const newline = text.indexOf('\n');
      assert.match(text.slice(0, newline), /^[A-Za-z0-9+/]+=*$/, 'the first line is base64 only');
      assert.equal(Buffer.from(text.slice(0, newline), 'base64').toString('utf8'), script.slice(1));
      assert.deepEqual(JSON.parse(text.slice(newline + 1)), params);
      // No user data on the command line: the path is only in stdin's JSON.
      assert.doesNotMatch(command, /Aether-V/);

      // Another script, the same command line.
      await writeFile(join(dir, 'Stage.ps1'), `# aetherv-bootstrap: stage\r\nparam([string] $InputJson)\r\n${'$padding = 1\r\n'.repeat(1000)}`);
      // A marker the loader would not accept (it checks '# aetherv-bootstrap:' exactly) is no marker.
      await writeFile(join(dir, 'Loose.ps1'), '#aetherv-bootstrap: install\r\nparam([string] $InputJson)\r\n');
      const fresh = new BootstrapRunner({ client, transportKind: () => 'ssh', directory: dir, validator: null });
      await fresh.run('hv01', 'stage', {} as never);
      assert.equal(sent[1]!.command, command);
      await assert.rejects(fresh.run('hv01', 'install', {} as never), /No bootstrap script marked "# aetherv-bootstrap: install"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
