/** Where a person lands after signing in when no (usable) `next` was asked for. */
export const LANDING_PATH = '/models';

const BASE = 'http://atelier.invalid';
/** places that are not pages to come back to */
const NOT_PAGES = ['/sign-in', '/auth', '/api'];

/**
 * The `next` of `/sign-in?next=…`, made safe to redirect to: a path on this site (never another
 * origin, so a link cannot bounce a person somewhere else after signing in) and a page.
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return LANDING_PATH;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return LANDING_PATH;
  }
  // the URL parser drops tabs and newlines, so "/\t/evil.example" only shows its origin here
  if (url.origin !== BASE) return LANDING_PATH;
  if (NOT_PAGES.some((prefix) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) return LANDING_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}
