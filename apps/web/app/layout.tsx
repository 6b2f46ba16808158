import type { Metadata } from 'next';
import type { ReactNode } from 'react';

import { Nav } from '../src/components/nav';

import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Atelier', template: '%s · Atelier' },
  description: 'Atelier: train, compare, deploy and monitor machine-learning models.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Nav />
        <main className="container">{children}</main>
      </body>
    </html>
  );
}
