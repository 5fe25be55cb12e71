/** Per-host state of the host agent install (issue 6), as the API and events show it. */
export type DeploymentState = 'unknown' | 'checking' | 'deploying' | 'current' | 'failed';

export interface DeploymentStatus {
  host: string;
  state: DeploymentState;
  /** What the host reported, null when unknown or not installed. */
  installedVersion: string | null;
  /** This build's version. */
  targetVersion: string;
  /** Why it failed (state failed), or what it is doing. */
  reason: string | null;
  lastChecked: string | null;
  /** Consecutive failures; drives the back-off. */
  failures: number;
  /** When the next automatic attempt happens after a failure. */
  nextAttemptAt: string | null;
}
