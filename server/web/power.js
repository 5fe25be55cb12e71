// @ts-check
/**
 * Which power actions a VM's state allows: the same state machine as the server's power job
 * (server/src/jobs/kinds/power.ts), so the UI offers only what the server would accept.
 */

/** @type {Record<string, { label: string, from: string[] }>} */
export const POWER_ACTIONS = {
  start: { label: 'Start', from: ['Off', 'Saved'] },
  shutdown: { label: 'Shut down', from: ['Running'] },
  stop: { label: 'Turn off', from: ['Running', 'Paused', 'Saved'] },
  reset: { label: 'Reset', from: ['Running'] },
  save: { label: 'Save', from: ['Running', 'Paused'] },
  pause: { label: 'Pause', from: ['Running'] },
  resume: { label: 'Resume', from: ['Paused'] },
};

/** @param {string} state @returns {string[]} */
export function actionsFor(state) {
  return Object.entries(POWER_ACTIONS).filter(([, a]) => a.from.includes(state)).map(([name]) => name);
}
