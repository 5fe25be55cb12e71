/**
 * From a provisioning request (POST /api/v1/vms) to a job: everything that can be refused before
 * a job exists is refused here, with every problem named — target, memory, adapters, the guest
 * configuration (including Windows' NetBIOS and account name limits), a name already in the
 * inventory. The job checks again against the host itself.
 */
import { AppError } from '../../errors.ts';
import type { OsFamily } from '../../agent/types.generated.ts';
import type { InventoryService } from '../../inventory/service.ts';
import { checkGuestConfig, type GuestConfig } from '../../provisioning/index.ts';
import { place } from '../placement.ts';
import { nicName, type ProvisionParams } from './provision.ts';
import { splitGuestConfig, type GuestSecrets } from './guest-secrets.ts';

/** The request body: ProvisionParams with defaults left open and the guest configuration whole. */
export type ProvisionRequest = Omit<ProvisionParams, 'imageMode' | 'disks' | 'nics' | 'notes' | 'clustered' | 'start' | 'guest' | 'memory'> & {
  imageMode?: ProvisionParams['imageMode'];
  memory: { startupMiB: number; dynamic?: boolean; minimumMiB?: number; maximumMiB?: number };
  disks?: Array<{ sizeGiB: number; type?: 'Dynamic' | 'Fixed' }>;
  nics?: ProvisionParams['nics'];
  notes?: string;
  clustered?: boolean;
  start?: boolean;
  guest?: unknown;
};

export const NETBIOS_MAX = 15;
export const WINDOWS_ACCOUNT_MAX = 20;
const DNS_LABEL = /^(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function invalid(errors: string[]): AppError {
  return new AppError('VALIDATION_FAILED', errors.join('; '), { details: { errors } });
}

/** Checks of the guest configuration that depend on the OS family (Windows limits). */
export function familyErrors(config: GuestConfig, family: OsFamily): string[] {
  if (family !== 'windows') return [];
  const errors: string[] = [];
  if (config.hostname !== undefined && config.hostname.length > NETBIOS_MAX) errors.push(`guest.hostname must be at most ${NETBIOS_MAX} characters for Windows (NetBIOS name)`);
  if (config.localAdmin && config.localAdmin.username.length > WINDOWS_ACCOUNT_MAX) errors.push(`guest.localAdmin.username must be at most ${WINDOWS_ACCOUNT_MAX} characters for Windows`);
  return errors;
}

/** Validates a guest configuration for a family; returns its public half and passwords. */
export function prepareGuest(guest: unknown, family: OsFamily, defaultHostname?: string): { config: Record<string, unknown>; secrets: GuestSecrets } {
  const value = guest && typeof guest === 'object' && !Array.isArray(guest) ? { ...(guest as Record<string, unknown>) } : guest;
  if (value && typeof value === 'object' && !('hostname' in value) && defaultHostname !== undefined && DNS_LABEL.test(defaultHostname)
    && (family !== 'windows' || defaultHostname.length <= NETBIOS_MAX)) {
    (value as Record<string, unknown>).hostname = defaultHostname;
  }
  const check = checkGuestConfig(value);
  if (!check.ok) throw new AppError('GUEST_CONFIG_INVALID', `Guest configuration invalid: ${check.errors.map((e) => `guest.${e}`).join('; ')}`, { details: { errors: check.errors } });
  const errors = familyErrors(check.config, family);
  if (errors.length > 0) throw new AppError('GUEST_CONFIG_INVALID', `Guest configuration invalid: ${errors.join('; ')}`, { details: { errors } });
  const { config, passwords } = splitGuestConfig(check.config);
  return { config, secrets: Object.keys(passwords).length > 0 ? { guestPasswords: passwords } : {} };
}

export interface PreparedProvision {
  params: ProvisionParams;
  secrets: GuestSecrets;
  /** The host, when the request named one (a cluster is placed by the job). */
  host?: string;
}

export function prepareProvision(body: ProvisionRequest, inventory: InventoryService): PreparedProvision {
  const errors: string[] = [];
  if ((body.host === undefined) === (body.cluster === undefined)) errors.push('give exactly one of host and cluster');
  const m = body.memory;
  const dynamic = m.dynamic ?? false;
  if (dynamic) {
    if (m.minimumMiB !== undefined && m.minimumMiB > m.startupMiB) errors.push('memory.minimumMiB must not exceed memory.startupMiB');
    if (m.maximumMiB !== undefined && m.maximumMiB < m.startupMiB) errors.push('memory.maximumMiB must not be below memory.startupMiB');
  } else if (m.minimumMiB !== undefined || m.maximumMiB !== undefined) {
    errors.push('memory.minimumMiB and memory.maximumMiB apply to dynamic memory only (set memory.dynamic=true)');
  }
  const nics = (body.nics ?? []).map((n) => (n.macAddress ? { ...n, macAddress: n.macAddress.toUpperCase() } : n));
  const names = nics.map(nicName);
  names.forEach((n, i) => { if (names.indexOf(n) !== i) errors.push(`nics[${i}].name ${n} is used twice`); });
  const start = body.start ?? true;
  if (body.guest !== undefined && !start) errors.push('a guest configuration is applied at first boot: it needs start=true');
  if (body.generation === 1 && body.secureBootTemplate !== undefined) errors.push('secureBootTemplate applies to generation 2 VMs only');
  const guestNetwork = (body.guest as { network?: unknown } | undefined)?.network;
  if (guestNetwork !== undefined && nics.length === 0) errors.push('guest.network configures the first network adapter: add one to nics');
  if (errors.length > 0) throw invalid(errors);

  const clustered = body.clustered ?? false;
  const where = place(inventory.snapshot().hosts, {
    ...(body.host !== undefined ? { host: body.host } : {}),
    ...(body.cluster !== undefined ? { cluster: body.cluster } : {}),
    image: body.image, switches: nics.map((n) => n.switchName), clustered,
    ...(start ? { memoryBytes: m.startupMiB * 1024 * 1024 } : {}),
  });
  const shared = (inventory.host(where.host)?.facts?.storagePaths ?? []).filter((p) => p.shared).map((p) => `${p.path.toLowerCase().replace(/\\+$/, '')}\\`);
  if (clustered && (body.imageMode ?? 'full') === 'differencing' && !shared.some((root) => where.image.path.toLowerCase().startsWith(root))) {
    throw invalid([`a clustered VM's differencing disk needs its parent on shared storage, and ${where.image.path} is not: use imageMode=full`]);
  }
  const scope = where.cluster ? inventory.snapshot().hosts.filter((h) => h.cluster === where.cluster).map((h) => h.name) : [where.host];
  const clash = scope.flatMap((h) => inventory.hostVms(h)).find((vm) => vm.name.toLowerCase() === body.name.toLowerCase());
  if (clash) throw new AppError('VM_NAME_TAKEN', `a VM named ${body.name} already exists on ${clash.host}`, { details: { host: clash.host, vmId: clash.vmId } });

  const family = body.osFamily ?? where.image.osFamily;
  const guest = body.guest === undefined ? undefined : prepareGuest(body.guest, family, body.name);
  const params: ProvisionParams = {
    name: body.name,
    ...(body.host !== undefined ? { host: body.host } : {}),
    ...(body.cluster !== undefined ? { cluster: body.cluster } : {}),
    image: body.image,
    imageMode: body.imageMode ?? 'full',
    ...(body.generation !== undefined ? { generation: body.generation } : {}),
    ...(body.secureBootTemplate !== undefined ? { secureBootTemplate: body.secureBootTemplate } : {}),
    cpuCount: body.cpuCount,
    memory: { startupMiB: m.startupMiB, dynamic, ...(m.minimumMiB !== undefined ? { minimumMiB: m.minimumMiB } : {}), ...(m.maximumMiB !== undefined ? { maximumMiB: m.maximumMiB } : {}) },
    disks: (body.disks ?? []).map((d) => ({ sizeGiB: d.sizeGiB, type: d.type ?? 'Dynamic' })),
    nics,
    notes: body.notes ?? '',
    osFamily: family,
    ...(guest ? { guest: guest.config } : {}),
    clustered,
    start,
  };
  return { params, secrets: guest?.secrets ?? {}, ...(body.host !== undefined ? { host: where.host } : {}) };
}
