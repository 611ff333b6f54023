export function ProfilesPage() {
  return <h1>Profiles</h1>;
}
