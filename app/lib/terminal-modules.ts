'use client';
// xterm.js and its addons, fetched once per page. Started when the terminal's module is first
// evaluated (while the page hydrates), not when the first terminal mounts, so the shell's first
// output finds the terminal code already there.

let loading: ReturnType<typeof load> | null = null;

async function load() {
  const [{ Terminal }, { FitAddon }, { WebLinksAddon }, { SearchAddon }] = await Promise.all([
    import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/addon-web-links'), import('@xterm/addon-search'),
  ]);
  return { Terminal, FitAddon, WebLinksAddon, SearchAddon };
}

export function terminalModules() {
  loading ??= load();
  return loading;
}
