/** API schemas of the inventory resources (TypeBox: validation, serialization and OpenAPI). */
import Type from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const open = { additionalProperties: true } as const;

export const VmState = Type.String({ description: 'Hyper-V state name: Running, Off, Saved, Paused, Starting, Stopping, Saving, Pausing, Resuming, …', examples: ['Running'] });

export const DiskSchema = Type.Object({
  diskId: Type.String(), path: Type.String(), sizeBytes: Type.Integer(), fileSizeBytes: Type.Integer(),
  type: Type.String({ description: 'Fixed, Dynamic or Differencing' }), parentPath: Nullable(Type.String()),
  controllerType: Type.String(), controllerNumber: Type.Integer(), controllerLocation: Type.Integer(),
}, { ...open, $id: 'Disk' });

export const NicSchema = Type.Object({
  nicId: Type.String(), name: Type.String(), macAddress: Type.String(), dynamicMac: Type.Boolean(),
  switchName: Nullable(Type.String()), vlanId: Nullable(Type.Integer()), ipAddresses: Type.Array(Type.String()),
}, { ...open, $id: 'Nic' });

export const VmSchema = Type.Object({
  vmId: Type.String({ description: 'Hyper-V VM GUID' }), name: Type.String(), host: Type.String(), cluster: Nullable(Type.String()),
  state: VmState, cpuCount: Type.Integer(),
  memory: Type.Object({ startupBytes: Type.Integer(), assignedBytes: Type.Integer(), dynamic: Type.Boolean(), minimumBytes: Type.Integer(), maximumBytes: Type.Integer() }, open),
  generation: Type.Integer(), configurationVersion: Type.String(), configurationPath: Type.Optional(Type.String()),
  osName: Nullable(Type.String()), uptimeSeconds: Type.Number(), notes: Type.String(), creationTime: Type.String(),
  ipAddresses: Type.Array(Type.String()), disks: Type.Array(Type.Ref('Disk')), nics: Type.Array(Type.Ref('Nic')),
  clustered: Type.Boolean(), isoPath: Nullable(Type.String()),
  stale: Type.Boolean({ description: 'true when its host stopped answering: shown as last seen' }),
  lastSeen: Type.String({ description: 'when the VM was last observed' }),
}, { ...open, $id: 'Vm' });

export const HostSchema = Type.Object({
  name: Type.String(), cluster: Nullable(Type.String()),
  connected: Type.Boolean(), lastSuccess: Nullable(Type.String()),
  lastError: Nullable(Type.Object({ code: Type.String(), message: Type.String(), time: Type.String() })),
  facts: Nullable(Type.Object({}, { additionalProperties: true, description: 'what the host reported: CPU, memory, switches, storage, images, agent and OS versions' })),
  vmCount: Type.Integer(),
  agentVersion: Nullable(Type.String()),
  deployment: Type.Optional(Type.Object({}, { additionalProperties: true })),
}, { ...open, $id: 'Host' });

export const ClusterSchema = Type.Object({
  name: Type.String(), hosts: Type.Array(Type.String()), connectedHosts: Type.Integer(), vmCount: Type.Integer(),
}, { ...open, $id: 'Cluster' });

export const InventorySchema = Type.Object({
  revision: Type.Integer(), generatedAt: Type.String(), laboratory: Type.Boolean(),
  clusters: Type.Array(Type.Ref('Cluster')), standaloneHosts: Type.Array(Type.String()),
  hosts: Type.Array(Type.Ref('Host')), vms: Type.Array(Type.Ref('Vm')),
}, open);

export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({
  items: Type.Array(item), total: Type.Integer(), nextCursor: Nullable(Type.String()),
});

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 })),
  cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
};
