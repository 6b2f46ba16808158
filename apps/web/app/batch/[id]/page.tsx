import type { Metadata } from 'next';

import { BatchJobView } from '../../../src/features/batch/batch-job-view';

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Batch job ${(await params).id.slice(0, 8)}` };
}

export default async function BatchJobPage({ params }: Props) {
  return <BatchJobView id={(await params).id} />;
}
