import type { Metadata } from 'next';
import Link from 'next/link';

// At the root segment, where the layout's title template does not apply.
export const metadata: Metadata = { title: { absolute: 'Not found · Tether' } };

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
