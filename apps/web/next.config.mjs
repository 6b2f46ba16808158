import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Leave middleware's redirects as written (see middleware.ts). Otherwise Next turns a redirect to
  // 127.0.0.1 into one to "localhost" (vercel/next.js#48230), where the browser has no cookie.
  skipMiddlewareUrlNormalize: true,
  // The monorepo root: file tracing and the `@atelier/*` sources live above this app.
  outputFileTracingRoot: path.join(here, '../..'),
  experimental: {
    // Compile `@atelier/contracts` and `@atelier/sdk` straight from `libs/*/src` (tsconfig paths).
    externalDir: true,
  },
  // `/api/*` is forwarded to the platform by app/api/[...path]/route.ts, at request time.
  // The workspace's own ESLint run (`npm run lint`) covers this app.
  eslint: { ignoreDuringBuilds: true },
};

export default nextConfig;
