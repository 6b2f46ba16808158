import type { Metadata } from 'next';

import { BatchView } from '../../src/features/batch/batch-view';

export const metadata: Metadata = { title: 'Batch scoring' };

export default async function BatchPage({ searchParams }: { searchParams: Promise<{ job?: string }> }) {
  const { job } = await searchParams;
  return <BatchView initialJobId={job} />;
}
