/** The differential test, part 2: NICs, ISOs, vm.update, every power action, KVP (Hyper-V's size limit), vm.delete, envelope errors. Shared machinery and what is normalised: differential.ts. */
import { differentialSuite, GIB, HOSTILE, HOSTILE_NOTES } from './differential.ts';

differentialSuite('NICs, ISOs, power, KVP and deletion', [
  {
    name: 'inventory.collect', host: 'HV03', op: 'inventory.collect', params: () => ({}),
    save: (r, v) => {
      const vms = r.vms as { vmId: string; name: string; state: string }[];
      v.running = vms.find((x) => x.state === 'Running')?.vmId ?? '';
      v.runningName = vms.find((x) => x.vmId === v.running)?.name ?? '';
    },
  },
  {
    name: 'vm.create with a hostile name and notes', host: 'HV03', op: 'vm.create',
    params: () => ({ name: HOSTILE, path: 'C:\\Hyper-V', generation: 2, cpuCount: 2, memory: { startupBytes: 2 * GIB, dynamic: false }, secureBootTemplate: 'MicrosoftUEFICertificateAuthority', notes: HOSTILE_NOTES }),
    save: (r, v) => { v.vm = r.vm.vmId; },
  },
  {
    name: 'nic.create with a VLAN', host: 'HV03', op: 'nic.create', params: (v) => ({ vmId: v.vm, switchName: 'External', vlanId: 100 }),
    save: (r, v) => { v.nic = r.nic.nicId; },
  },
  { name: 'nic.create on an unknown switch', host: 'HV03', op: 'nic.create', params: (v) => ({ vmId: v.vm, switchName: 'No Such Switch' }) },
  { name: 'nic.update (hostile name, untagged)', host: 'HV03', op: 'nic.update', params: (v) => ({ vmId: v.vm, nicId: v.nic, name: `eth '$(x)'; \`n ü`, vlanId: null }) },
  { name: 'iso.attach of an installed ISO', host: 'HV03', op: 'iso.attach', params: (v) => ({ vmId: v.vm, isoPath: 'C:\\Program Files\\Aether-V\\WindowsProvisioning.iso' }) },
  { name: 'iso.attach of a missing ISO', host: 'HV03', op: 'iso.attach', params: (v) => ({ vmId: v.vm, isoPath: 'C:\\Program Files\\Aether-V\\Missing.iso' }) },
  { name: 'vm.update (name, CPUs, dynamic memory, notes)', host: 'HV03', op: 'vm.update', params: (v) => ({ vmId: v.vm, name: `${HOSTILE}-2`, cpuCount: 4, memory: { dynamic: true, minimumBytes: GIB, maximumBytes: 8 * GIB }, notes: 'plain notes' }) },
  { name: 'vm.update to the name of another VM', host: 'HV03', op: 'vm.update', params: (v) => ({ vmId: v.vm, name: v.runningName!.toLowerCase() }) },
  { name: 'vm.power start', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'start' }) },
  { name: 'vm.power start of a running VM', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'start' }) },
  { name: 'vm.update of the CPUs of a running VM', host: 'HV03', op: 'vm.update', params: (v) => ({ vmId: v.vm, cpuCount: 2 }) },
  { name: 'kvp.set', host: 'HV03', op: 'kvp.set', params: (v) => ({ vmId: v.vm, items: [{ key: 'aetherv.version', value: '9.8.7' }, { key: 'aetherv.payload.0', value: 'q'.repeat(1000) }] }) },
  { name: 'kvp.set of a value Hyper-V refuses', host: 'HV03', op: 'kvp.set', params: (v) => ({ vmId: v.vm, items: [{ key: 'too.long', value: 'q'.repeat(1024) }] }) },
  { name: 'kvp.get', host: 'HV03', op: 'kvp.get', params: (v) => ({ vmId: v.vm }) },
  { name: 'kvp.remove', host: 'HV03', op: 'kvp.remove', params: (v) => ({ vmId: v.vm, keys: ['aetherv.payload.0', 'never.written'] }) },
  { name: 'vm.power pause', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'pause' }) },
  { name: 'vm.power reset of a paused VM', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'reset' }) },
  { name: 'vm.power resume', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'resume' }) },
  { name: 'vm.power save', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'save' }) },
  { name: 'vm.power stop of a saved VM', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'stop' }) },
  { name: 'iso.detach', host: 'HV03', op: 'iso.detach', params: (v) => ({ vmId: v.vm }) },
  { name: 'nic.delete', host: 'HV03', op: 'nic.delete', params: (v) => ({ vmId: v.vm, nicId: v.nic }) },
  { name: 'vm.delete with its disks', host: 'HV03', op: 'vm.delete', params: (v) => ({ vmId: v.vm, deleteDisks: true }) },
  { name: 'vm.delete of a running VM without force', host: 'HV03', op: 'vm.delete', params: (v) => ({ vmId: v.running }) },
  { name: 'vm.power shutdown', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.running, action: 'shutdown' }) },
  { name: 'vm.power with an unknown action', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.running, action: 'explode' }) },
  { name: 'an unknown operation', host: 'HV03', op: 'vm.explode', params: () => ({}) },
]);
