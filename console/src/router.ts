/** Hash routes (#/devices?state=stale, #/devices/ID): deep links work with one static page. */

export interface Route {
  page: string;
  /** The path's further segments, decoded (#/devices/ID -> ['ID']). */
  args: string[];
  query: URLSearchParams;
}

export function currentRoute(hash = window.location.hash): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [page = 'overview', ...args] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page, args, query: new URLSearchParams(query) };
}

export function href(page: string, args: readonly string[] = [], query?: URLSearchParams): string {
  const path = [page, ...args.map(encodeURIComponent)].join('/');
  const search = query && query.size > 0 ? `?${query.toString()}` : '';
  return `#/${path}${search}`;
}
