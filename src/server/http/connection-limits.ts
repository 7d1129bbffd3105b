/**
 * Bounds on what one client can hold open: connections per client address (beyond the limit a new
 * connection is closed at once, so idle sockets from one place cannot starve everyone else), and
 * the time a request may take to arrive (a stalled header or body is answered 408 and cut).
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Node's timeouts for `requestTimeoutMs`: Node checks for expired requests every
 * `connectionsCheckingInterval`, so the timeouts are shortened by one interval and a stalled
 * request is cut within `requestTimeoutMs`, not up to an interval later.
 */
export function requestTimeouts(requestTimeoutMs: number): Required<Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'>> {
  const interval = Math.min(1_000, Math.max(25, Math.floor(requestTimeoutMs / 4)));
  const timeout = requestTimeoutMs - interval;
  return { headersTimeout: timeout, requestTimeout: timeout, connectionsCheckingInterval: interval };
}

/** Closes each connection beyond `perAddress` open ones from the same client address (0: no limit). */
export function limitConnectionsPerAddress(server: Server, perAddress: number, onRefused: (address: string) => void = () => undefined): void {
  if (perAddress <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > perAddress) {
      socket.destroy();
      onRefused(address);
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
