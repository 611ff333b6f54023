// The API key lives in sessionStorage only: gone with the tab, never in a URL or localStorage.
const KEY = 'depgate.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};
