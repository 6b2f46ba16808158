import type { Metadata } from 'next';

import { AdminOnly } from '../../../src/components/admin-only';
import { KeysView } from '../../../src/features/keys/keys-view';
import { currentUser } from '../../../src/server/session-cookie';

export const metadata: Metadata = { title: 'API keys' };

export default async function KeysPage() {
  const user = await currentUser();
  if (user?.role !== 'admin') return <AdminOnly what="API keys" role={user?.role} />;
  return <KeysView sessionKeyId={user.keyId} />;
}
