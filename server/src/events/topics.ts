/** The topics a WebSocket client may subscribe to (issue 6): fixed names plus `jobs:<id>`. */
export const FIXED_TOPICS = ['inventory', 'hosts', 'jobs', 'notifications'] as const;

const JOB_TOPIC = /^jobs:[A-Za-z0-9-]{1,64}$/;

export function isValidTopic(topic: string): boolean {
  return (FIXED_TOPICS as readonly string[]).includes(topic) || JOB_TOPIC.test(topic);
}
