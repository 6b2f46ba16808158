import type { ApiKeyRole } from '@atelier/contracts';

import { EmptyState } from './states';

/** What an admin page shows to anyone else (the API would answer 403 anyway). */
export function AdminOnly({ what, role }: { what: string; role: ApiKeyRole | undefined }) {
  return (
    <div data-testid="admin-only">
      <EmptyState title="Admins only">
        {what} need an admin key{role ? `; you are signed in with a ${role} key` : ''}.
      </EmptyState>
    </div>
  );
}
