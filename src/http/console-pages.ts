/**
 * The web console's pages: the header's navigation (web/src/App.tsx imports this file) and the
 * paths depgate answers with the console's index.html (console.ts), each with everything under it
 * (`/tokens/new`, `/profiles/:id`). One list, so a page added to the console is also served on a
 * reload. Plain data and no imports: it is compiled into both the server and the browser bundle.
 */
export const CONSOLE_PAGES = [
  { path: '/', label: 'Overview' },
  { path: '/tokens', label: 'Tokens' },
  { path: '/devices', label: 'Devices' },
  { path: '/profiles', label: 'Profiles' },
  { path: '/vpp-tokens', label: 'VPP tokens' },
  { path: '/apple-business', label: 'Apple Business' },
  { path: '/alerts', label: 'Alerts' },
] as const;

export type ConsolePage = (typeof CONSOLE_PAGES)[number];

/** The page a path belongs to: `/` only itself, any other page itself and the paths under it. */
export function consolePageOf(pathname: string): ConsolePage | undefined {
  return CONSOLE_PAGES.find(({ path }) => pathname === path || (path !== '/' && pathname.startsWith(`${path}/`)));
}
