import type { Metadata } from 'next';

import { FeaturesView } from '../../src/features/feature-groups/features-view';

export const metadata: Metadata = { title: 'Features' };

export default async function FeaturesPage({ searchParams }: { searchParams: Promise<{ group?: string }> }) {
  const { group } = await searchParams;
  return <FeaturesView initialGroup={group} />;
}
