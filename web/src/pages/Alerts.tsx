export function AlertsPage() {
  return <h1>Alerts</h1>;
}
export function AlertsBadge() {
  return null;
}
