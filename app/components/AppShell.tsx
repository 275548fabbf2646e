'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { PagePrincipal } from '../../server/api/page-headers.ts';
import { useTRPC } from '../lib/trpc.ts';
import { ThemeToggle } from './ThemeToggle.tsx';
import { ApprovalBadge } from './approvals/ApprovalBadge.tsx';

function Logo() {
  // A tether: two nodes and the line between them.
  return (
    <svg className="logo" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
      <circle cx="4" cy="14" r="2.5" fill="currentColor" />
      <circle cx="14" cy="4" r="2.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M5.8 12.2 12.2 5.8" stroke="currentColor" strokeWidth="1.6" strokeDasharray="2 1.6" />
    </svg>
  );
}

export function AppShell({ principal, children, wide }: { principal: PagePrincipal; children: ReactNode; wide?: boolean }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSettled: () => window.location.assign('/login') }));
  // Not on the IDE: prefetching the other pages costs the server a render each (eight requests)
  // while the page's terminal is connecting, for navigations that rarely happen from there.
  const prefetch = wide ? false : undefined;
  const nav = [{ href: '/', label: 'Sessions' }, ...(principal.role === 'admin' ? [{ href: '/admin', label: 'Admin' }] : []), { href: '/account', label: 'Account' }];
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" prefetch={prefetch} className="brand" aria-label="Tether home"><Logo /> Tether</Link>
        <nav aria-label="Main">
          {nav.map((n) => (
            <Link key={n.href} href={n.href} prefetch={prefetch} aria-current={pathname === n.href ? 'page' : undefined}>{n.label}</Link>
          ))}
        </nav>
        <div className="spacer" />
        {principal.role === 'admin' && <ApprovalBadge prefetch={prefetch} />}
        <ThemeToggle />
        <span className="who" title={principal.email}>{principal.name} · <span className="muted">{principal.role}</span></span>
        <button type="button" className="ghost" onClick={() => logout.mutate()} disabled={logout.isPending}>Sign out</button>
      </header>
      <main className={wide ? 'content wide' : 'content'}>{children}</main>
    </div>
  );
}
