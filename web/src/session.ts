// The API key lives in sessionStorage only: gone with the tab, never in a URL or localStorage.
// Beside it, for one read, why the API refused it (the sign-in form shows it once).
const KEY = 'depgate.apiKey';
const REFUSAL = 'depgate.signInError';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
  /** Why the API refused the key (revoked, mistyped), for the sign-in form that follows. */
  refused: (reason: string) => sessionStorage.setItem(REFUSAL, reason),
  /** The last refusal's reason, once. */
  takeRefusal: (): string | null => {
    const reason = sessionStorage.getItem(REFUSAL);
    sessionStorage.removeItem(REFUSAL);
    return reason;
  },
};
