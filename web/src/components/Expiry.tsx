import { expiryLevel, formatDateTime, relative, useNow } from '../time';

/** An expiry date with its countdown, coloured at the expiry-alert thresholds (30 and 7 days). */
export function Expiry({ at }: { at: string }) {
  const now = useNow(60_000);
  const level = expiryLevel(at, now);
  return (
    <span className={`expiry expiry-${level}`}>
      {formatDateTime(at)} <small>({level === 'expired' ? `expired ${relative(at, now).replace(' ago', '')} ago` : `expires ${relative(at, now)}`})</small>
    </span>
  );
}
