import type { Metadata } from 'next';

import { TrainView } from '../../src/features/train/train-view';

export const metadata: Metadata = { title: 'Train' };

export default async function TrainPage({ searchParams }: { searchParams: Promise<{ job?: string }> }) {
  const { job } = await searchParams;
  return <TrainView initialJobId={job} />;
}
