import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers.tsx';
import './globals.css';

// Each page names itself ("Dashboard", a session's title); the template adds the product.
export const metadata: Metadata = { title: { default: 'Tether', template: '%s · Tether' }, description: 'A cloud IDE for teams, with a coding agent on a leash.' };

// Applied before first paint so a dark-theme user never sees a light flash.
const themeScript = `try{var t=localStorage.getItem('tether-theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
