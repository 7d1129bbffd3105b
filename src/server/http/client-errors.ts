/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a malformed request line, headers
 * too large, a request that did not arrive in time) are answered in the service's one error shape,
 * `{ "error": { "code", "message" } }`, and the connection is closed.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../../shared/errors.js';
import { errorBody, statusFor } from './errors.js';

export interface ClientErrorContext {
  /** The largest request head Node accepts, in bytes. */
  maxHeaderBytes: number;
  requestTimeoutMs: number;
}

function describe(nodeCode: string | undefined, context: ClientErrorContext): { code: ErrorCode; message: string } {
  switch (nodeCode) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'ERR_HEADERS_TOO_LARGE', message: `The request line and headers are larger than ${context.maxHeaderBytes} bytes.` };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'ERR_REQUEST_TIMEOUT', message: `The request did not arrive in full within ${context.requestTimeoutMs / 1000} s.` };
    default:
      return { code: 'ERR_BAD_REQUEST', message: 'The request is not valid HTTP/1.1.' };
  }
}

/** Whether a response has started on this socket: then nothing more can be written on it. */
function responseStarted(socket: Duplex): boolean {
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return current?.headersSent === true;
}

export function answerClientError(error: Error & { code?: string }, socket: Duplex, context: ClientErrorContext): void {
  if (error.code === 'ECONNRESET' || !socket.writable || responseStarted(socket)) {
    socket.destroy();
    return;
  }
  const { code, message } = describe(error.code, context);
  const status = statusFor(code);
  const body = JSON.stringify(errorBody(code, message));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
