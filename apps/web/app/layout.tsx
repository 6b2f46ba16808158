import type { Metadata } from 'next';
import type { ReactNode } from 'react';

import { Nav } from '../src/components/nav';
import { currentUser } from '../src/server/session-cookie';

import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Atelier', template: '%s · Atelier' },
  description: 'Atelier: train, compare, deploy and monitor machine-learning models.',
};

/** The session was checked by middleware.ts; here it only names who is signed in (never the key). */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <Nav user={user} />
        <main className="container">{children}</main>
      </body>
    </html>
  );
}
