import type { Metadata } from 'next';

import { ModelDetailView } from '../../../src/features/models/model-detail-view';

interface Props {
  params: Promise<{ name: string }>;
  searchParams: Promise<{ version?: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).name };
}

// Model names are URL-safe by contract (`[a-z][a-z0-9_-]*`), so the segment is used as is.
export default async function ModelPage({ params, searchParams }: Props) {
  const { name } = await params;
  const { version } = await searchParams;
  const highlight = version ? Number(version) : undefined;
  return <ModelDetailView name={name} highlight={Number.isInteger(highlight) ? highlight : undefined} />;
}
