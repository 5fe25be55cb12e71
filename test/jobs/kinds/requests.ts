/** Provisioning requests the kind tests share. */
import type { ProvisionParams, ProvisionSecrets } from '../../../server/src/jobs/kinds/provision.ts';

export const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0cB2v9Cq3V5n1bE1rj0x0m0Zl5nqkQy3y6b2Jt7dL ops@example';

export function linuxRequest(name: string, where: { host?: string; cluster?: string }, extra: Partial<ProvisionParams> = {}): ProvisionParams {
  return {
    name, ...where, image: 'Ubuntu-24.04', imageMode: 'differencing', cpuCount: 2,
    memory: { startupMiB: 2048, dynamic: false }, disks: [], nics: [{ switchName: 'External' }],
    notes: 'web tier', clustered: false, start: true,
    guest: { hostname: name, network: { ipv4: { address: '10.0.0.25', prefixLength: 24, gateway: '10.0.0.1' } }, users: [{ name: 'ops', sshAuthorizedKeys: [SSH_KEY], sudo: true }] },
    ...extra,
  };
}

export function linuxSecrets(): ProvisionSecrets {
  return {};
}

