'use client';
// Uploads into the file tree: files dragged onto a folder go into it, onto a file beside it,
// elsewhere into the workspace root; the toolbar's Upload (a file picker, for the keyboard) puts
// them in the selected folder. One at a time, with progress; folders are not uploaded.
import { useState, type DragEvent } from 'react';
import { uploadFile } from './transfers.ts';

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

/** The folder a drop lands in, from the tree row under the pointer (its data-path / data-dir). */
function dropDir(e: DragEvent): string {
  const row = (e.target as HTMLElement).closest<HTMLElement>('[data-path]');
  if (!row) return '';
  const p = row.dataset.path!;
  return row.dataset.dir === '1' ? p : p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
}

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

export function useFileDrop(o: { sessionId: string; disabled: boolean; onDone: (uploaded: string[]) => void; onError: (message: string | null) => void }) {
  const [progress, setProgress] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  const upload = async (dir: string, files: File[], refused: string[] = []) => {
    if (o.disabled) return o.onError('Could not upload: the workspace is read-only.');
    const uploaded: string[] = [];
    const failures = [...refused];
    for (const [n, file] of files.entries()) {
      const path = join(dir, file.name);
      const label = `Uploading ${path}${files.length > 1 ? ` (${n + 1} of ${files.length})` : ''}`;
      setProgress(`${label}… 0%`);
      try {
        await uploadFile(o.sessionId, path, file, (f) => setProgress(`${label}… ${Math.round(f * 100)}%`));
        uploaded.push(path);
      } catch (err) {
        failures.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    setProgress(uploaded.length ? `Uploaded ${uploaded.join(', ')}.` : null);
    o.onError(failures.length ? `Could not upload ${failures.join('; ')}` : null);
    o.onDone(uploaded);
  };

  const onDrop = async (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setOver(false);
    const folders = Array.from(e.dataTransfer.items).filter((i) => i.webkitGetAsEntry?.()?.isDirectory).map((i) => i.getAsFile()?.name);
    const files = Array.from(e.dataTransfer.files).filter((f) => !folders.includes(f.name));
    await upload(dropDir(e), files, folders.map((name) => `${name} is a folder (drop its files, or upload a zip)`));
  };

  return {
    progress,
    over,
    upload: (dir: string, files: File[]) => void upload(dir, files),
    handlers: {
      onDragOver: (e: DragEvent) => { if (!hasFiles(e)) return; e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; setOver(true); },
      onDragLeave: (e: DragEvent) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false); },
      onDrop: (e: DragEvent) => void onDrop(e),
    },
  };
}
