export function VppTokensPage() {
  return <h1>VppTokens</h1>;
}
