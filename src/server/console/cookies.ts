/** Reading the Cookie header and writing Set-Cookie for the console's own cookies. */

/** The value of cookie `name` in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1 || part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    return value === '' ? null : value;
  }
  return null;
}

export interface CookieOptions {
  secure: boolean;
  sameSite: 'Strict' | 'Lax';
  /** Seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
}

export function setCookie(name: string, value: string, options: CookieOptions): string {
  const attributes = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${options.sameSite}`, `Max-Age=${options.maxAgeSeconds}`];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** Over https the `__Host-` prefix pins a cookie to this host, Secure and Path=/. */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}
