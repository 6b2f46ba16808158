import type { Metadata } from 'next';

import { SignInForm } from '../../src/features/sign-in/sign-in-form';
import { safeNextPath } from '../../src/lib/next-path';
import { currentUser } from '../../src/server/session-cookie';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next } = await searchParams;
  const user = await currentUser();
  return (
    <SignInForm next={safeNextPath(typeof next === 'string' ? next : null)} signedInAs={user ? `${user.owner} (${user.role})` : null} />
  );
}
