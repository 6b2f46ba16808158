import type { Metadata } from 'next';

import { DeployView } from '../../../../src/features/models/deploy-view';

interface Props {
  params: Promise<{ name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Deploy ${(await params).name}` };
}

export default async function DeployPage({ params }: Props) {
  return <DeployView name={(await params).name} />;
}
