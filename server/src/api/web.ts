/**
 * The operator's web UI: static files from server/web, no build step. `/` is the page; its
 * scripts and stylesheet live under `/ui/`. The files are public (they hold no data); everything
 * they show comes from the API, which checks the caller.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { REPOSITORY_ROOT } from '../version.ts';
import { AppError } from '../errors.ts';

export const WEB_ROOT = join(REPOSITORY_ROOT, 'server', 'web');

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  html: 'text/html; charset=utf-8',
};
/** Flat names only: no path separators, no dot files, so nothing outside server/web is reachable. */
const ASSET = /^[a-z0-9][a-z0-9-]*\.(js|css|svg)$/;

interface Cached { mtimeMs: number; body: Buffer; etag: string }

export const webRoutes: FastifyPluginAsync<{ root?: string }> = async (app, options) => {
  const root = options.root ?? WEB_ROOT;
  // Files are re-read when they change on disk, so editing the UI needs no restart.
  const cache = new Map<string, Cached>();
  const load = async (name: string): Promise<Cached | undefined> => {
    const path = join(root, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const hit = cache.get(name);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit;
    const body = await readFile(path);
    const entry = { mtimeMs: info.mtimeMs, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    cache.set(name, entry);
    return entry;
  };

  const send = async (request: FastifyRequest, reply: FastifyReply, name: string): Promise<unknown> => {
    const file = await load(name);
    if (!file) throw new AppError('NOT_FOUND', `no file ${name} in the web UI`);
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    // Revalidate every time: cheap with the ETag, and a new release is never hidden by a cache.
    reply.header('cache-control', 'no-cache').header('etag', file.etag).type(type);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  };

  app.get('/', {
    config: { auth: 'public' },
    schema: { tags: ['web'], summary: 'The web UI', hide: true },
  }, (request, reply) => send(request, reply, 'index.html'));

  app.get<{ Params: { file: string } }>('/ui/:file', {
    config: { auth: 'public' },
    schema: { tags: ['web'], summary: 'A script, stylesheet or image of the web UI', hide: true },
  }, (request, reply) => {
    const name = request.params.file;
    if (!ASSET.test(name)) throw new AppError('NOT_FOUND', `no file ${name} in the web UI`);
    return send(request, reply, name);
  });
};
