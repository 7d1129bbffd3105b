/**
 * Result verification for forward-auth, where it runs on every request with a Result not seen
 * before: exactly verifyResultToken's checks, with what repeats between Results done once. The
 * Results of one signing key share their header, so a header that passed the header checks (ES256,
 * typ, no key-carrying parameters, a kid) is remembered by its encoded text, and for the next
 * Result with that very header only the payload and the signature are decoded. A token that is
 * not a plain three-part JWS within the size limit, or whose header is not remembered, goes through
 * verifyResultToken, which refuses it with its own error code.
 */
import { decodeSegment, parseObject, type DecodedJws } from '../attest/compact-jws.js';
import { decodeEat } from '../attest/eat-header.js';
import {
  DEFAULT_MAX_RESULT_BYTES, RESULT_HEADER_CODES, verifyDecodedResult, verifyResultToken, type ResultVerificationOptions, type VerifiedResult,
} from '../attest/verify-result.js';

/** Signing keys in use at once are few (the active one, and retired ones until their Results expire). */
const MAX_HEADERS = 16;

interface AcceptedHeader {
  header: DecodedJws['header'];
  kid: string;
}

export class ResultVerifier {
  readonly #headers = new Map<string, AcceptedHeader>();

  get rememberedHeaders(): number {
    return this.#headers.size;
  }

  verify(token: string, options: ResultVerificationOptions): VerifiedResult {
    if (token.length > (options.maxTokenBytes ?? DEFAULT_MAX_RESULT_BYTES)) return verifyResultToken(token, options);
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.includes('.', second + 1)) return verifyResultToken(token, options);
    const headerPart = token.slice(0, first);
    const accepted = this.#headers.get(headerPart) ?? this.#accept(token, headerPart, options);
    let decoded: DecodedJws;
    try {
      const payload = parseObject(decodeSegment(token.slice(first + 1, second), 'payload'), 'payload');
      decoded = { header: accepted.header, payload, signingInput: token.slice(0, second), signature: decodeSegment(token.slice(second + 1), 'signature') };
    } catch {
      return verifyResultToken(token, options);
    }
    return verifyDecodedResult(decoded, accepted.kid, options);
  }

  /** The full decoding and header checks (refusing with their codes); a header that passes is remembered. */
  #accept(token: string, headerPart: string, options: ResultVerificationOptions): AcceptedHeader {
    const { decoded, kid } = decodeEat(token, options.maxTokenBytes ?? DEFAULT_MAX_RESULT_BYTES, RESULT_HEADER_CODES, 'Result');
    if (this.#headers.size >= MAX_HEADERS) this.#headers.clear();
    const accepted = { header: decoded.header, kid };
    this.#headers.set(headerPart, accepted);
    return accepted;
  }
}
