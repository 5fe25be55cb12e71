/** What is running: version, commit, and whether this is the simulated laboratory. */
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import { buildInfo } from '../version.ts';

const About = Type.Object({
  name: Type.Literal('aetherv-orchestrator'),
  version: Type.String({ examples: ['0.1.0'] }),
  commit: Type.Union([Type.String(), Type.Null()], { description: 'git commit of this build, when known' }),
  laboratory: Type.Boolean({ description: 'true when managing the embedded simulated laboratory, not real hosts' }),
  node: Type.String(),
});

export const aboutRoutes: FastifyPluginAsync<{ laboratory: boolean }> = async (app, { laboratory }) => {
  app.get('/api/v1/about', {
    config: { auth: 'reader' },
    schema: { tags: ['about'], summary: 'Version and build of this orchestrator', response: { 200: About } },
  }, async () => {
    const info = buildInfo();
    return { name: 'aetherv-orchestrator' as const, version: info.version, commit: info.commit, laboratory, node: process.version };
  });
};
