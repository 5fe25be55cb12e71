/**
 * The simulator's public entry: a fleet of simulated Hyper-V hosts, each listening for WinRM
 * (HTTP/HTTPS) and SSH on its own loopback address, plus the control API.
 *
 *   const sim = await startSimulator({ hosts: 3, ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 } });
 *   sim.hosts        // [{ name, address, winrmPort, winrmHttpsPort, sshPort, up, cluster }]
 *   sim.credentials  // { username, password, caFile }
 *   await sim.stop();
 */
export { startSimulator, type Simulator, type SimulatorOptions } from './control/simulator.ts';
export { startEmbeddedLab, LAB_LABEL, type EmbeddedLab, type EmbeddedLabOptions, type LabHost } from './lab.ts';
export type { HostRow } from './control/endpoints.ts';
export type { Credentials } from './control/api.ts';
export type { Fleet, SimulatedHost } from './host/fleet.ts';
export type { HostFaults, OpLogEntry } from './contracts.ts';
