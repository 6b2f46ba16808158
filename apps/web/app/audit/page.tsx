import type { Metadata } from 'next';

import { AdminOnly } from '../../src/components/admin-only';
import { AuditView } from '../../src/features/audit/audit-view';
import { currentUser } from '../../src/server/session-cookie';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage() {
  const user = await currentUser();
  if (user?.role !== 'admin') return <AdminOnly what="The audit log and its filters" role={user?.role} />;
  return <AuditView />;
}
