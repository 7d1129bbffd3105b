/**
 * What Evidence and Result verification share: decoding a compact JWS within a size limit and
 * checking its header (ES256 only, typ eat+jwt, no key-carrying parameters, a kid). Each token
 * kind maps the failures to its own error codes.
 */
import { AgentError, type ErrorCode } from '../shared/errors.js';
import { decodeCompactJws, JwsFormatError, type DecodedJws } from './compact-jws.js';
import { EAT_MEDIA_TYPE, FORBIDDEN_HEADER_PARAMETERS } from './profiles.js';

export interface HeaderCodes {
  tooLarge: ErrorCode;
  malformed: ErrorCode;
  algorithm: ErrorCode;
  type: ErrorCode;
  header: ErrorCode;
}

export interface DecodedEat {
  decoded: DecodedJws;
  kid: string;
}

export function decodeEat(token: unknown, maxBytes: number, codes: HeaderCodes, what: string): DecodedEat {
  let decoded: DecodedJws;
  try {
    decoded = decodeCompactJws(token, maxBytes);
  } catch (error) {
    if (error instanceof JwsFormatError) throw new AgentError(error.reason === 'too-large' ? codes.tooLarge : codes.malformed, error.message);
    throw error;
  }
  const { header } = decoded;
  if (header['alg'] !== 'ES256') throw new AgentError(codes.algorithm, `The ${what} is signed with ${JSON.stringify(header['alg'])}; only ES256 is accepted.`);
  const typ = typeof header['typ'] === 'string' ? header['typ'].toLowerCase().replace(/^application\//, '') : null;
  if (typ !== EAT_MEDIA_TYPE) throw new AgentError(codes.type, `The ${what}'s typ is ${JSON.stringify(header['typ'])}, not "${EAT_MEDIA_TYPE}".`);
  const forbidden = FORBIDDEN_HEADER_PARAMETERS.filter((name) => name in header);
  if (forbidden.length > 0) throw new AgentError(codes.header, `The ${what}'s header carries ${forbidden.join(', ')}; keys never come from the token.`);
  const kid = header['kid'];
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128) throw new AgentError(codes.header, `The ${what}'s header has no usable kid.`);
  return { decoded, kid };
}
