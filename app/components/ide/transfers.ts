'use client';
// The browser side of server/api/transfers.ts: upload one file with progress (XMLHttpRequest,
// since fetch reports no upload progress) and download a file or a folder's zip, each failure
// becoming an Error with the server's words.

const transferUrl = (action: 'upload' | 'download', sessionId: string, path: string) =>
  `/api/files/${action}?sessionId=${encodeURIComponent(sessionId)}&path=${encodeURIComponent(path)}`;

async function serverWords(res: { status: number; text(): Promise<string> }): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    return (JSON.parse(text) as { error?: string }).error ?? `the server answered ${res.status}`;
  } catch {
    return text || `the server answered ${res.status}`;
  }
}

/** Uploads `file` to `path` (never over an existing file); onProgress gets 0…1. */
export function uploadFile(sessionId: string, path: string, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', transferUrl('upload', sessionId, path));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      if (xhr.status === 201) return resolve();
      void serverWords({ status: xhr.status, text: async () => xhr.responseText }).then((w) => reject(new Error(w)));
    };
    xhr.onerror = () => reject(new Error('the connection to the server failed'));
    xhr.send(file);
  });
}

/** Downloads a file, or a folder as `<name>.zip` ('' is the whole workspace). */
export async function download(sessionId: string, path: string, isDir: boolean): Promise<void> {
  const res = await fetch(transferUrl('download', sessionId, path));
  if (!res.ok) throw new Error(await serverWords(res));
  const name = `${path.split('/').pop() || 'workspace'}${isDir ? '.zip' : ''}`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the blob to the download; let the browser take it before revoking.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
