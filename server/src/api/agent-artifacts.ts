/**
 * `GET|HEAD /agent/manifest.json` and `GET|HEAD /agent/<name>`: what hosts download to
 * install the agent (DESIGN §4). Public by design: nothing here is secret, and hosts check
 * every file against the SHA-256 of a manifest they received over the authenticated
 * remoting channel. Only names the manifest lists are served; there is no listing and no
 * path is ever built from the request beyond an exact match against those names.
 */
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.ts';
import { ArtifactStore } from '../artifacts/store.ts';
import { sendProblem, toProblem } from './problem.ts';

export interface AgentArtifactRoutesOptions {
  /** The built artifacts folder (ARTIFACTS_BASE_PATH): isos/, scripts/, version, manifest.json. */
  artifactsPath: string;
}

/** Hosts and caches must revalidate: a new version reuses the same names. */
const CACHE_CONTROL = 'no-cache';

/** Problems leave as the rest of the API's do (problem.ts), also when mounted on a bare instance. */
function replyProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  return sendProblem(reply, toProblem(error, request, false), { 'cache-control': 'no-store' });
}

function etagMatches(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; null = serve everything; 'unsatisfiable' = 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === '' && match[2] === '')) return null; // absent, multiple or malformed: ignore (RFC 9110 14.2)
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export const agentArtifactRoutes: FastifyPluginAsync<AgentArtifactRoutesOptions> = async (app, options) => {
  const store = new ArtifactStore(options.artifactsPath);

  app.route({
    method: ['GET', 'HEAD'],
    url: '/agent/manifest.json',
    config: { auth: 'public' },
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      try {
        const { bytes, sha256 } = await store.manifest();
        const etag = `"${sha256}"`;
        reply.header('etag', etag).header('cache-control', CACHE_CONTROL);
        if (etagMatches(request, etag)) return reply.code(304).send();
        reply.header('content-type', 'application/json; charset=utf-8').header('content-length', bytes.length);
        return reply.send(request.method === 'HEAD' ? undefined : bytes);
      } catch (error) {
        if (isAppError(error)) return replyProblem(request, reply, error);
        throw error;
      }
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/agent/*',
    config: { auth: 'public' },
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      try {
        const file = await store.file(name);
        if (file === undefined) throw new AppError('NOT_FOUND', `the agent manifest lists no file named ${JSON.stringify(name.slice(0, 200))}`);
        const etag = `"${file.sha256}"`;
        reply.header('etag', etag).header('cache-control', CACHE_CONTROL).header('accept-ranges', 'bytes');
        if (etagMatches(request, etag)) return reply.code(304).send();
        const ifRange = request.headers['if-range'];
        const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, file.size) : null;
        if (range === 'unsatisfiable') {
          return reply.code(416).header('content-range', `bytes */${file.size}`).header('content-length', 0).send();
        }
        const { start, end } = range ?? { start: 0, end: file.size - 1 };
        if (range !== null) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
        reply.header('content-type', file.contentType).header('content-length', end - start + 1);
        if (request.method === 'HEAD' || file.size === 0) return reply.send(request.method === 'HEAD' ? undefined : Buffer.alloc(0));
        return reply.send(createReadStream(file.path, { start, end }));
      } catch (error) {
        if (isAppError(error)) return replyProblem(request, reply, error);
        throw error;
      }
    },
  });
};
