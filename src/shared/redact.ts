/** Secrets never reach messages: what a user typed is shown with its credentials masked. */

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i;
const SECRET_PARAMETER = /([?&](?:password|passwd|pwd|secret|token|sslpassword|sslkey)=)[^&#]*/gi;

/** A URL-like text with its password (or whole user info, when it has no user) and secret query values masked. */
export function redactUrl(text: string): string {
  return text
    .replace(USERINFO, (_match, scheme: string, userinfo: string) => {
      const separator = userinfo.indexOf(':');
      return separator === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, separator)}:***@`;
    })
    .replace(SECRET_PARAMETER, '$1***');
}
