import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Where the Atelier API listens. The browser only ever talks to this Next server; `/api/*` is
 * proxied here, so there is one origin and no CORS. This file is the only place that reads it.
 * Next resolves rewrites when it builds (`next build`, `next dev`): set it then, not at `next start`.
 */
const apiUrl = (process.env.ATELIER_API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The monorepo root: file tracing and the `@atelier/*` sources live above this app.
  outputFileTracingRoot: path.join(here, '../..'),
  experimental: {
    // Compile `@atelier/contracts` and `@atelier/sdk` straight from `libs/*/src` (tsconfig paths).
    externalDir: true,
  },
  // Inlined into the bundle so "cannot reach the API" messages can say where the proxy points.
  env: { ATELIER_API_PROXY_TARGET: apiUrl },
  // The workspace's own ESLint run (`npm run lint`) covers this app.
  eslint: { ignoreDuringBuilds: true },
  async rewrites() {
    return [{ source: '/api/:path*', destination: `${apiUrl}/api/:path*` }];
  },
};

export default nextConfig;
