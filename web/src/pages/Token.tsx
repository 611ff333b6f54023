export function TokenPage({ id }: { id: string }) {
  void id;
  return <h1>Token</h1>;
}
