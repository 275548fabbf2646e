'use client';
import type { PresenceEntry } from '../../../server/realtime/protocol.ts';
import '../share/share.css';

/** Who is in this session now and the file each has open (the header); the list comes from usePresence. */
export function PresenceBar({ people }: { people: PresenceEntry[] }) {
  if (people.length === 0) return null;
  return (
    <ul className="presence" aria-label="People here">
      {people.map((p) => (
        <li key={p.userId} title={p.file ? `${p.name} has ${p.file} open` : `${p.name} is here`}>
          <span className="presence-dot" aria-hidden="true" />{p.name}{p.file && <span className="muted"> · {p.file.split('/').at(-1)}</span>}
        </li>
      ))}
    </ul>
  );
}

/** The initials of whoever else has a file open, beside it in the tree; read out as "Open by Alice". */
export function PresenceMarks({ id, names }: { id?: string; names: string[] | undefined }) {
  if (!names?.length) return null;
  return (
    <span className="presence-marks" id={id}>
      {names.map((name) => (
        <span key={name} className="presence-mark" role="img" aria-label={`Open by ${name}`} title={`Open by ${name}`}>{initials(name)}</span>
      ))}
    </span>
  );
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? `${words[0]![0]}${words.at(-1)![0]}` : (words[0] ?? '?').slice(0, 2)).toUpperCase();
}
