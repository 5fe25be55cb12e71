/**
 * Fastify answers a known path with an unknown method as 404. Operators and clients deserve
 * 405 with an Allow header, so we keep a shadow router of every registered route and ask it
 * which methods the path does accept.
 */
import FindMyWay from 'find-my-way';
import type { HTTPMethod } from 'find-my-way';

const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export class RouteShadow {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true });

  add(method: string | string[], url: string): void {
    for (const m of Array.isArray(method) ? method : [method]) {
      const upper = m.toUpperCase() as HTTPMethod;
      if (!METHODS.includes(upper)) continue;
      try {
        this.router.on(upper, url, () => undefined);
      } catch {
        // Same method and path registered twice (e.g. HEAD auto-added): nothing more to learn.
      }
    }
  }

  /** Methods the path accepts; empty when the path itself is unknown. */
  allowedMethods(path: string): string[] {
    return METHODS.filter((m) => this.router.find(m, path) !== null);
  }
}
