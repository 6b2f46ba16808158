'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

import { formatTime } from '../lib/format';
import type { SessionUser } from '../server/session';
import { Badge } from './badge';

const LINKS = [
  { href: '/features', label: 'Features', testId: 'nav-features' },
  { href: '/models', label: 'Models' },
  { href: '/train', label: 'Train' },
  { href: '/batch', label: 'Batch', testId: 'nav-batch' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/monitors', label: 'Monitors' },
] as const;

const ADMIN_LINKS = [
  { href: '/admin/keys', label: 'Keys', testId: 'nav-admin-keys' },
  { href: '/audit', label: 'Audit', testId: 'nav-audit' },
] as const;

/** `user` is null on the sign-in page: the bar then shows the brand only. */
export function Nav({ user }: { user: SessionUser | null }) {
  const pathname = usePathname();
  const links = user === null ? [] : user.role === 'admin' ? [...LINKS, ...ADMIN_LINKS] : LINKS;
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link href={user ? '/models' : '/sign-in'} className="brand">
          <span className="brand-mark" aria-hidden>
            ◆
          </span>
          Atelier
        </Link>
        {links.length > 0 ? (
          <nav aria-label="Main">
            <ul className="nav-links">
              {links.map((link) => {
                const active = pathname === link.href || pathname.startsWith(`${link.href}/`);
                return (
                  <li key={link.href}>
                    <Link
                      href={link.href}
                      className={active ? 'active' : undefined}
                      aria-current={active ? 'page' : undefined}
                      data-testid={'testId' in link ? link.testId : undefined}
                    >
                      {link.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        ) : null}
        {user ? (
          <div className="topbar-user">
            <span
              className="topbar-owner"
              data-testid="session-user"
              data-role={user.role}
              title={`signed in until ${formatTime(new Date(user.expiresAt).toISOString())}`}
            >
              {user.owner}
            </span>
            <Badge tone={user.role === 'admin' ? 'accent' : 'neutral'} testId="session-role">
              {user.role}
            </Badge>
            {/* a plain form: signing out works even when the page's scripts are broken */}
            <form method="post" action="/auth/sign-out">
              <button type="submit" className="button button-small" data-testid="sign-out">
                Sign out
              </button>
            </form>
          </div>
        ) : null}
      </div>
    </header>
  );
}
