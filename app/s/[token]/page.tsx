import { ShareViewer } from '../../components/share/ShareViewer.tsx';

// No sign-in needed: the server (server/api/share-page.ts) answered already for links that are
// unknown, revoked, expired, or for members only; the viewer reads through viewer procedures.
export default async function SharePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <ShareViewer token={token} />;
}
