import type { Metadata } from 'next';

import { DriftView } from '../../../../src/features/models/drift-view';

interface Props {
  params: Promise<{ name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Monitoring of ${(await params).name}` };
}

export default async function DriftPage({ params }: Props) {
  return <DriftView name={(await params).name} />;
}
