import Link from 'next/link';

export default function Forbidden() {
  return (
    <main className="center-page">
      <div className="card narrow">
        <p className="eyebrow">403</p>
        <h1>Forbidden</h1>
        <p className="muted">Only an admin can open this page.</p>
        <Link className="button" href="/">Back to your sessions</Link>
      </div>
    </main>
  );
}
