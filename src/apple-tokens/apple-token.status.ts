import { DAY_MS } from '../clock';

/** How one kind of token names the states every Apple token has. */
export interface AppleTokenStatusNames<S> {
  expired: S;
  expiringSoon: S;
  usable: S;
}

/**
 * The status rule of DEP and VPP tokens alike; derived, never stored. An expired token is expired
 * whatever else is true; Apple's refusal (`refusal`: the kind's status for it, or null while Apple
 * accepts the token) comes next because it blocks every call; the expiry warning
 * (TOKEN_EXPIRING_SOON_DAYS) last.
 */
export function appleTokenStatus<T extends { expiresAt: Date }, S>(names: AppleTokenStatusNames<S>, refusal: (token: T) => S | null) {
  return (token: T, now: Date, expiringSoonDays: number): S => {
    const remaining = token.expiresAt.getTime() - now.getTime();
    if (remaining <= 0) return names.expired;
    const refused = refusal(token);
    if (refused !== null) return refused;
    if (remaining <= expiringSoonDays * DAY_MS) return names.expiringSoon;
    return names.usable;
  };
}
