import type { Metadata } from 'next';

import { BatchJobView } from '../../../src/features/batch/batch-job-view';
import { currentUser } from '../../../src/server/session-cookie';

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Batch job ${(await params).id.slice(0, 8)}` };
}

export default async function BatchJobPage({ params }: Props) {
  // deleting a job is an admin's (as every deletion); the others are not offered the button
  const user = await currentUser();
  return <BatchJobView id={(await params).id} canDelete={user?.role === 'admin'} />;
}
