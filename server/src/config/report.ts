/** Configuration problems, each naming the variable and what to do about it. */
export interface ConfigProblem {
  variable: string;
  message: string;
  hint: string;
}

export interface ConfigReport {
  /** Blocking: host-touching services stay stopped; /readyz answers 503 with these. */
  errors: ConfigProblem[];
  /** Worth knowing, not blocking. */
  warnings: ConfigProblem[];
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.variable}: ${p.message} — ${p.hint}`;
}
