export function AddTokenPage() {
  return <h1>AddToken</h1>;
}
