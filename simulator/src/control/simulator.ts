/** Composition of the real fleet (host/fleet.ts) with its network face and control API. */
import { createFleet, type Fleet } from '../host/fleet.ts';
import type { AgentKind } from '../pwsh/mode.ts';
import { startSimulation, type Simulation, type SimulationOptions } from './simulation.ts';

export interface SimulatorOptions extends SimulationOptions {
  /** Number of hosts (default 3). */
  hosts?: number;
  vmsPerHost?: number;
  clusters?: number;
  seed?: number;
  /** 1 = realistic durations, 0.01 = a hundred times faster (default 1). */
  timeScale?: number;
  /** An artifacts/ folder installed as the host agent on every host at start. */
  preinstallAgentFrom?: string;
  /** 'typescript' (default) or 'powershell': the real host scripts in the real pwsh (host/README.md). */
  agent?: AgentKind;
  /** Per host name, overriding `agent`. */
  agentByHost?: Record<string, AgentKind>;
}

export type Simulator = Simulation<Fleet>;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const fleet = createFleet({
    hosts: options.hosts ?? 3,
    vmsPerHost: options.vmsPerHost ?? 4,
    clusters: options.clusters ?? 0,
    seed: options.seed ?? 1,
    timeScale: options.timeScale ?? 1,
    ...(options.preinstallAgentFrom ? { preinstallAgentFrom: options.preinstallAgentFrom } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.agentByHost ? { agentByHost: options.agentByHost } : {}),
  });
  try {
    return await startSimulation(fleet, options);
  } catch (error) {
    await fleet.close();
    throw error;
  }
}
