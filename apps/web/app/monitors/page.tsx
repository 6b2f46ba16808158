import type { Metadata } from 'next';

import { MonitorsView } from '../../src/features/monitors/monitors-view';

export const metadata: Metadata = { title: 'Monitors' };

export default function MonitorsPage() {
  return <MonitorsView />;
}
