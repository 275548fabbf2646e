// Workspace-relative paths as the browser handles them (`/`-separated, no leading slash).

/** `path` is `p` itself or inside the folder `p`. */
export const isAt = (path: string, p: string) => path === p || path.startsWith(`${p}/`);

/** Where `path` is after `from` (a file, or a folder and everything in it) was renamed to `to`. */
export const renamedPath = (path: string, from: string, to: string) => (isAt(path, from) ? to + path.slice(from.length) : path);
