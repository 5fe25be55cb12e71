/** oidc-provider ships no type declarations; the tests use a small part of it. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  const Provider: new (issuer: string, configuration: Record<string, unknown>) => {
    on(event: string, listener: (...args: unknown[]) => void): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  };
  export default Provider;
}
