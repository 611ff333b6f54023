// Dates as people read them, and the countdowns the tables show.
import { useEffect, useState } from 'react';

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "in 3 d 4 h", "in 12 min", "2 h ago". */
export function relative(iso: string, now: number): string {
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const min = Math.round(abs / 60_000);
  const text = min < 1 ? 'less than a minute' : min < 60 ? `${min} min` : min < 48 * 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${Math.floor(min / 1440)} d ${Math.floor((min % 1440) / 60)} h`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** The current time, refreshed every `everyMs` (countdowns, availability of Sync now). */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Days to the server's expiry-alert thresholds (ALERT_EXPIRY_DAYS defaults): which colour. */
export function expiryLevel(iso: string, now: number): 'expired' | 'critical' | 'warning' | 'ok' {
  const days = (new Date(iso).getTime() - now) / 86_400_000;
  if (days <= 0) return 'expired';
  if (days <= 7) return 'critical';
  if (days <= 30) return 'warning';
  return 'ok';
}

export function duration(fromIso: string | null | undefined, toIso: string | null | undefined): string {
  if (!fromIso || !toIso) return '—';
  const s = Math.max(0, Math.round((new Date(toIso).getTime() - new Date(fromIso).getTime()) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
