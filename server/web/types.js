// @ts-check
/**
 * Shapes of what the API returns (see /openapi.json); JSDoc only, nothing runs here.
 *
 * @typedef {{ startupBytes: number, assignedBytes: number, dynamic: boolean, minimumBytes: number, maximumBytes: number }} VmMemory
 * @typedef {{ diskId: string, path: string, sizeBytes: number, fileSizeBytes: number, type: string, parentPath: string|null, controllerType: string, controllerNumber: number, controllerLocation: number }} Disk
 * @typedef {{ nicId: string, name: string, macAddress: string, dynamicMac: boolean, switchName: string|null, vlanId: number|null, ipAddresses: string[] }} Nic
 * @typedef {{ vmId: string, name: string, host: string, cluster: string|null, state: string, cpuCount: number, memory: VmMemory,
 *   generation: number, configurationVersion: string, osName: string|null, uptimeSeconds: number, notes: string, creationTime: string|null,
 *   ipAddresses: string[], disks: Disk[], nics: Nic[], clustered: boolean, stale: boolean, lastSeen: string|null }} Vm
 * @typedef {{ name: string, osFamily: string, generation: number, sizeBytes: number }} Image
 * @typedef {{ name: string, type: string }} VSwitch
 * @typedef {{ fqdn?: string, cpuCores: number, logicalProcessors: number, memoryTotalBytes: number, memoryFreeBytes: number,
 *   switches: VSwitch[], images: Image[], osName?: string, agentVersion?: string|null }} HostFacts
 * @typedef {{ state: string, installedVersion: string|null, targetVersion: string, reason: string|null, lastChecked: string|null }} Deployment
 * @typedef {{ name: string, cluster: string|null, connected: boolean, lastSuccess: string|null, lastError: string|null,
 *   facts: HostFacts|null, vmCount: number, agentVersion: string|null, deployment?: Deployment|null }} Host
 * @typedef {{ name: string, hosts: string[], connectedHosts: number, vmCount: number }} Cluster
 * @typedef {{ revision: number, generatedAt: string, laboratory: boolean, clusters: Cluster[], standaloneHosts: string[], hosts: Host[], vms: Vm[] }} Inventory
 * @typedef {{ code: string, message: string }} JobError
 * @typedef {{ index: number, name: string, state: string, startedAt: string|null, finishedAt: string|null, error: JobError|null }} JobStep
 * @typedef {{ id: string, kind: string, state: string, host: string|null, vmId: string|null, requestedBy: string, createdAt: string,
 *   startedAt: string|null, finishedAt: string|null, currentStep: string|null, cancelRequested: boolean, error: JobError|null,
 *   steps?: JobStep[], result?: unknown, params?: Record<string, unknown> }} Job
 * @typedef {{ seq: number, time: string, level: string, message: string, step: string|null }} JobLogLine
 * @typedef {{ id: string, level: string, category: string, title: string, message: string, occurrences: number,
 *   createdAt: string, updatedAt: string, read: boolean }} Notification
 * @typedef {{ authenticated: boolean, signInEnabled: boolean, laboratoryAdmin: boolean, name?: string, roles: string[],
 *   csrfToken?: string, notice?: string }} Me
 * @typedef {{ topic: string, type: string, seq: number, time?: string, data: any }} LiveEvent
 */
export {};
