// The part of oidc-provider (v8, shipped without types) the console tests use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface ClientMetadata {
    client_id: string;
    client_secret: string;
    token_endpoint_auth_method: string;
    redirect_uris: string[];
    response_types: string[];
    grant_types: string[];
  }

  interface Account {
    accountId: string;
    claims: () => Record<string, unknown>;
  }

  interface Configuration {
    clients: ClientMetadata[];
    claims: Record<string, string[]>;
    findAccount: (context: unknown, id: string) => Account | Promise<Account>;
    cookies: { keys: string[] };
    ttl: Record<string, number>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
