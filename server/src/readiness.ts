/**
 * What `/readyz` reports: each part of the service says whether it is ready and, if not, why.
 * The orchestrator is ready when every registered part is.
 */
export interface ReadinessCheck {
  ready: boolean;
  /** Why it is not ready (or a note when it is), shown to operators. */
  detail?: string;
}

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  set(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  report(): { ready: boolean; checks: Record<string, ReadinessCheck> } {
    const checks = Object.fromEntries(this.checks);
    return { ready: [...this.checks.values()].every((c) => c.ready), checks };
  }
}
