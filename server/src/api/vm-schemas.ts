/**
 * Request bodies of the VM write routes (TypeBox → validation and the OpenAPI document). The
 * provisioning example provisions as-is in the laboratory: every simulated host has the golden
 * image `Ubuntu-24.04` and the switch `External`, and `HV01` is a laboratory host.
 */
import Type from 'typebox';

const VM_NAME = '^[^\\u0000-\\u001f\\\\/:*?"<>|]+$';
const MAC = '^[0-9A-Fa-f]{12}$';

export const PROVISION_EXAMPLE = {
  name: 'web-01',
  host: 'HV01',
  image: 'Ubuntu-24.04',
  imageMode: 'differencing',
  cpuCount: 2,
  memory: { startupMiB: 2048, dynamic: false },
  disks: [{ sizeGiB: 20, type: 'Dynamic' }],
  nics: [{ switchName: 'External' }],
  notes: 'Web tier',
  guest: {
    hostname: 'web-01',
    network: { ipv4: { address: '10.0.0.25', prefixLength: 24, gateway: '10.0.0.1' }, dns: { servers: ['10.0.0.2'], searchSuffix: 'corp.example' } },
    users: [{ name: 'ops', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0cB2v9Cq3V5n1bE1rj0x0m0Zl5nqkQy3y6b2Jt7dL ops@example'], sudo: true }],
  },
  clustered: false,
  start: true,
};

const Memory = Type.Object({
  startupMiB: Type.Integer({ minimum: 32, maximum: 12 * 1024 * 1024, description: 'Startup memory (static: the memory), MiB' }),
  dynamic: Type.Optional(Type.Boolean({ default: false, description: 'Dynamic memory between minimumMiB and maximumMiB' })),
  minimumMiB: Type.Optional(Type.Integer({ minimum: 32, maximum: 12 * 1024 * 1024 })),
  maximumMiB: Type.Optional(Type.Integer({ minimum: 32, maximum: 12 * 1024 * 1024 })),
}, { additionalProperties: false });

const NewNic = Type.Object({
  switchName: Type.String({ minLength: 1, maxLength: 100, description: 'Virtual switch on the host' }),
  vlanId: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 4094 }), Type.Null()], { description: 'Access VLAN; absent or null = untagged' })),
  macAddress: Type.Optional(Type.String({ pattern: MAC, description: 'Static MAC (12 hex digits, e.g. 00155D0A0B0C); absent = dynamic' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f]+$' })),
}, { additionalProperties: false });

const Guest = Type.Object({}, {
  additionalProperties: true,
  description: 'Guest configuration (Schemas/guest-config.json): hostname, localAdmin {username, password}, network {ipv4 {address, prefixLength, gateway}, dns}, '
    + 'domainJoin (Windows), users with sshAuthorizedKeys (Linux). Validated as a whole; passwords are kept encrypted in the job\'s secrets, never in its params. '
    + 'hostname defaults to the VM name when that is a valid host name. Windows: hostname at most 15 characters, localAdmin.username at most 20.',
});

export const ProvisionBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: VM_NAME, description: 'VM name; unique on the host and on its cluster' }),
  host: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Target host (give host or cluster)' })),
  cluster: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Target cluster: the connected node with the most free memory that has the image and the switches' })),
  image: Type.String({ minLength: 1, maxLength: 200, description: 'Golden image name (inventory: hosts[].facts.images[].name)' }),
  imageMode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('differencing')], { default: 'full', description: 'Full copy, or a differencing disk on the golden image' })),
  generation: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { description: 'Default: the image\'s generation' })),
  secureBootTemplate: Type.Optional(Type.Union([Type.Literal('MicrosoftWindows'), Type.Literal('MicrosoftUEFICertificateAuthority'), Type.Literal('Disabled')], { description: 'Generation 2; default by OS family' })),
  cpuCount: Type.Integer({ minimum: 1, maximum: 240 }),
  memory: Memory,
  disks: Type.Optional(Type.Array(Type.Object({
    sizeGiB: Type.Integer({ minimum: 1, maximum: 65536 }),
    type: Type.Optional(Type.Union([Type.Literal('Dynamic'), Type.Literal('Fixed')], { default: 'Dynamic' })),
  }, { additionalProperties: false }), { maxItems: 60, description: 'Extra data disks' })),
  nics: Type.Optional(Type.Array(NewNic, { maxItems: 8 })),
  notes: Type.Optional(Type.String({ maxLength: 4000 })),
  osFamily: Type.Optional(Type.Union([Type.Literal('windows'), Type.Literal('linux')], { description: 'Default: the image\'s OS family' })),
  guest: Type.Optional(Guest),
  clustered: Type.Optional(Type.Boolean({ default: false, description: 'Make the VM a highly available cluster role (its files go on shared storage)' })),
  start: Type.Optional(Type.Boolean({ default: true, description: 'Start the VM (needed for a guest configuration)' })),
}, { additionalProperties: false, examples: [PROVISION_EXAMPLE] });

export const InitializeBody = Type.Object({
  osFamily: Type.Optional(Type.Union([Type.Literal('windows'), Type.Literal('linux')], { description: 'Default: the family of the golden image the VM\'s disk came from' })),
  guest: Guest,
}, { additionalProperties: false });

export const VmPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: VM_NAME })),
  cpuCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 240 })),
  memory: Type.Optional(Type.Object({
    startupMiB: Type.Optional(Type.Integer({ minimum: 32, maximum: 12 * 1024 * 1024 })),
    dynamic: Type.Optional(Type.Boolean()),
    minimumMiB: Type.Optional(Type.Integer({ minimum: 32, maximum: 12 * 1024 * 1024 })),
    maximumMiB: Type.Optional(Type.Integer({ minimum: 32, maximum: 12 * 1024 * 1024 })),
  }, { additionalProperties: false, minProperties: 1 })),
  notes: Type.Optional(Type.String({ maxLength: 4000 })),
}, { additionalProperties: false, examples: [{ cpuCount: 4, memory: { startupMiB: 4096 }, notes: 'resized for the sale' }] });

export const DiskBody = Type.Object({
  sizeGiB: Type.Integer({ minimum: 1, maximum: 65536 }),
  type: Type.Optional(Type.Union([Type.Literal('Dynamic'), Type.Literal('Fixed')], { default: 'Dynamic' })),
  controllerType: Type.Optional(Type.Union([Type.Literal('SCSI'), Type.Literal('IDE')])),
}, { additionalProperties: false });

export const DiskPatch = Type.Object({ sizeGiB: Type.Integer({ minimum: 1, maximum: 65536, description: 'New size; disks only grow' }) }, { additionalProperties: false });

export const NicBody = NewNic;

export const NicPatch = Type.Object({
  switchName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  vlanId: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 4094 }), Type.Null()])),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f]+$' })),
}, { additionalProperties: false });
