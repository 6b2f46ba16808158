/**
 * The web server's configuration, read when first needed at run time (never at build time), so
 * one build runs against any API with any secret. Only code on the Next server imports this.
 */

/** `ATELIER_API_URL`, without a trailing slash. */
export function apiUrl(): string {
  return (process.env.ATELIER_API_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
}

const MIN_SECRET_LENGTH = 32;
const EPHEMERAL_SECRET = Symbol.for('atelier.web.ephemeral-ui-secret');

/**
 * `ATELIER_UI_SECRET`, the secret session cookies are sealed with. When it is not set, a random
 * secret of this process: sessions then end when the server restarts, and two servers behind one
 * address do not accept each other's cookies.
 */
export function uiSecret(): string {
  const configured = process.env.ATELIER_UI_SECRET;
  if (configured) {
    if (configured.length < MIN_SECRET_LENGTH) {
      throw new Error(`ATELIER_UI_SECRET must be at least ${MIN_SECRET_LENGTH} characters; generate one with "openssl rand -base64 32"`);
    }
    return configured;
  }
  // Kept on globalThis: Next loads this module once per bundle (middleware, pages, route
  // handlers), and all of them must seal and open with the same secret.
  const holder = globalThis as typeof globalThis & { [EPHEMERAL_SECRET]?: string };
  if (!holder[EPHEMERAL_SECRET]) {
    holder[EPHEMERAL_SECRET] = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
    console.warn('[atelier web] ATELIER_UI_SECRET is not set: using a random secret, so sessions end when this server restarts');
  }
  return holder[EPHEMERAL_SECRET];
}
