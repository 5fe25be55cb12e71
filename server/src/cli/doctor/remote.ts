/**
 * The doctor's steps that talk to the host: authentication (SSH host key first), PowerShell
 * through the version bootstrap script, the Hyper-V module, the installed agent version, and
 * a timed host.info round trip. Each turns the typed REMOTE_* / AGENT_* error into a line an
 * operator can act on.
 */
import { AgentClient } from '../../agent/client.ts';
import { BootstrapRunner, type BootstrapResult } from '../../agent/bootstrap.ts';
import { isAppError } from '../../errors.ts';
import { connectSsh } from '../../remoting/ssh/index.ts';
import { probeShell } from '../../remoting/winrm/index.ts';
import type { HostTransport } from '../../remoting/transport.ts';
import type { DoctorOptions } from './args.ts';
import { fail, pass, skip, type StepResult } from './report.ts';

type Outcome = Omit<StepResult, 'ms'>;

/** SSH: one handshake answers both "is this the host we know" and "does it accept us". */
export async function sshHostKeyAndAuth(options: DoctorOptions, address: string): Promise<Outcome[]> {
  const { host, settings } = options;
  try {
    const connection = await connectSsh({ host, address, settings: settings.ssh, connectTimeoutMs: settings.connectTimeoutMs });
    connection.client.end();
    const key = `${connection.hostKey.type} ${connection.hostKey.fingerprint}`;
    const keyDetail = settings.ssh.insecureSkipHostKeyCheck ? `${key}; NOT verified (--insecure / SSH_INSECURE_SKIP_HOST_KEY_CHECK)` : `${key} matches ${settings.ssh.knownHostsFile}`;
    return [pass('host key', keyDetail), pass('authentication', `logged on as ${settings.ssh.username} with ${settings.ssh.privateKeyFile ? 'a private key' : 'a password'}`)];
  } catch (error) {
    const code = isAppError(error) ? error.code : 'ERROR';
    const message = (error as Error).message;
    if (code === 'REMOTE_HOST_KEY') {
      return [fail('host key', message, `verify the host's key on the console (Get-Content $env:ProgramData\\ssh\\ssh_host_ed25519_key.pub), then add it: ssh-keyscan -p ${settings.ssh.port} ${host} >> known_hosts (--known-hosts / SSH_KNOWN_HOSTS)`)];
    }
    if (code === 'REMOTE_AUTH') {
      return [pass('host key', `trusted (${settings.ssh.insecureSkipHostKeyCheck ? 'not verified: --insecure' : settings.ssh.knownHostsFile})`), fail('authentication', message, 'check SSH_USERNAME and SSH_PASSWORD or SSH_PRIVATE_KEY_FILE (--username/--password/--private-key); the account must be allowed to log on over SSH')];
    }
    return [fail('host key', `SSH handshake failed: ${message}`, 'check that the port is OpenSSH (sshd) on the host')];
  }
}

/** WinRM: create and delete a shell — proves credentials and the right to use WinRS. */
export async function winrmAuth(options: DoctorOptions, address: string): Promise<Outcome> {
  const { host, settings } = options;
  const who = settings.winrm.auth === 'kerberos' ? 'Kerberos ticket' : `${settings.winrm.auth} as ${settings.winrm.username ?? '(no user)'}`;
  try {
    await probeShell(host, settings, { address });
    return pass('authentication', `${who}: accepted, WinRS shell created and deleted`);
  } catch (error) {
    const code = isAppError(error) ? error.code : 'ERROR';
    const message = (error as Error).message;
    const hints: Record<string, string> = {
      REMOTE_AUTH: settings.winrm.auth === 'kerberos'
        ? `get a ticket (kinit) or a keytab (KRB5_CLIENT_KTNAME), and check the host has the SPN HTTP/${host}`
        : `check WINRM_USERNAME/WINRM_PASSWORD (--username/--password); ${settings.winrm.auth === 'basic' ? 'Basic needs a local account and winrm set winrm/config/service/auth @{Basic="true"}' : 'use DOMAIN\\user for a domain account'}`,
      REMOTE_ACCESS_DENIED: 'add the account to the host\'s Administrators (or Remote Management Users and Hyper-V Administrators) group',
      REMOTE_SHELL_QUOTA: 'too many open shells for this user: wait, or raise MaxShellsPerUser (winrm set winrm/config/winrs @{MaxShellsPerUser="30"})',
      REMOTE_TLS: 'see the tls step: set --ca-file / WINRM_CA_FILE to the issuing CA',
    };
    return fail('authentication', message, hints[code] ?? 'check the WinRM service on the host (winrm enumerate winrm/config/listener)');
  }
}

export interface RemoteSteps {
  outcomes: Outcome[];
  /** Milliseconds of the host.info call, when it ran. */
  roundTripMs?: number;
}

/**
 * PowerShell → Hyper-V → agent version → host.info. Stops after PowerShell fails (nothing
 * else can run); a missing agent skips only the round trip.
 */
export async function hostSteps(options: DoctorOptions, transport: HostTransport, expectedVersion: string): Promise<Outcome[]> {
  const { host } = options;
  const client = new AgentClient({ transports: { get: () => transport }, installDirectory: options.installDirectory, retry: { retries: 0 } });
  const runner = new BootstrapRunner({ client, transportKind: () => transport.kind });
  const outcomes: Outcome[] = [];
  let version: BootstrapResult<'version'>;
  try {
    version = await runner.run(host, 'version', { installDirectory: options.installDirectory }, { deadlineSeconds: 60, retries: 0 });
  } catch (error) {
    const message = (error as Error).message;
    const stderr = isAppError(error) && typeof error.details.stderr === 'string' && error.details.stderr ? ` (stderr: ${error.details.stderr.slice(0, 300)})` : '';
    outcomes.push(fail('powershell', `${message}${stderr}`, 'check that powershell.exe runs for this account on the host and that scripts are not blocked by policy (AppLocker/WDAC)'));
    return outcomes;
  }
  outcomes.push(pass('powershell', `PowerShell ${version.psVersion} on Windows ${version.osVersion}${version.computerName ? ` (${version.computerName})` : ''}`));
  outcomes.push(version.hypervModule
    ? pass('hyper-v', `Hyper-V PowerShell module present${version.clusterModule ? ', FailoverClusters module present' : ', no FailoverClusters module (standalone host)'}`)
    : fail('hyper-v', 'the Hyper-V PowerShell module is missing', 'Install-WindowsFeature Hyper-V -IncludeManagementTools (or Hyper-V-PowerShell), then restart'));

  if (!version.installed) {
    outcomes.push(fail('agent version', `no agent installed in ${version.installDirectory}`, 'start the orchestrator: it installs the agent before its first call (or check HOST_INSTALL_DIRECTORY)'));
    outcomes.push(skip('round trip', 'skipped: the agent is not installed'));
    return outcomes;
  }
  outcomes.push(version.version === expectedVersion
    ? pass('agent version', `${version.version} installed in ${version.installDirectory}, same as this checkout`)
    : fail('agent version', `${version.version ?? 'unknown'} installed in ${version.installDirectory}, this checkout is ${expectedVersion}`, 'the orchestrator updates the agent before its next work on the host; run it, or redeploy the host scripts'));

  const started = process.hrtime.bigint();
  try {
    const info = await client.hostInfo(host, {}, { deadlineSeconds: 60, retries: 0 });
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const cluster = info.cluster ? `cluster ${info.cluster}` : 'standalone';
    outcomes.push(pass('round trip', `host.info answered in ${ms} ms (${info.name}, ${cluster}, ${info.logicalProcessors} logical processors, ${info.switches.length} switches)`));
  } catch (error) {
    const code = isAppError(error) ? error.code : 'ERROR';
    const agentCode = isAppError(error) && typeof error.details.agentCode === 'string' ? ` [${error.details.agentCode}]` : '';
    outcomes.push(fail('round trip', `host.info failed: ${code}${agentCode}: ${(error as Error).message}`, code === 'AGENT_TRANSPORT' ? 'the installed agent did not answer in aetherv.agent/1: redeploy the host scripts' : 'see the message; run the agent on the host to reproduce'));
  }
  return outcomes;
}
