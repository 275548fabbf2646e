import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <main className="center-page">
      <div className="card narrow">
        <p className="eyebrow">404</p>
        <h1>Not found</h1>
        <p className="muted">There is nothing here, or it is not yours to see.</p>
        <Link className="button" href="/">Back to your sessions</Link>
      </div>
    </main>
  );
}
