const LABELS: Record<string, string> = {
  ACTIVE: 'Active',
  EXPIRING_SOON: 'Expiring soon',
  EXPIRED: 'Expired',
  TERMS_NOT_ACCEPTED: 'Terms not accepted',
  REJECTED: 'Rejected',
  REFUSED: 'Refused by Apple',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase().replace(/_/g, '-')}`}>{LABELS[status] ?? status}</span>;
}
