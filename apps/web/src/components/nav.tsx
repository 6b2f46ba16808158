'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/models', label: 'Models' },
  { href: '/train', label: 'Train' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/monitors', label: 'Monitors' },
] as const;

export function Nav() {
  const pathname = usePathname();
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link href="/models" className="brand">
          <span className="brand-mark" aria-hidden>
            ◆
          </span>
          Atelier
        </Link>
        <nav aria-label="Main">
          <ul className="nav-links">
            {LINKS.map((link) => {
              const active = pathname === link.href || pathname.startsWith(`${link.href}/`);
              return (
                <li key={link.href}>
                  <Link href={link.href} className={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
                    {link.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      </div>
    </header>
  );
}
