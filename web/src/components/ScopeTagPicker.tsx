// The scope tags a new DEP token or Apple Business account gets: a checkbox per tag the server
// has (nothing shown when it has none), and the refusal about them when there is one.
import { useQuery } from 'urql';
import { graphql } from '../gql';

const ScopeTagsDocument = graphql(`
  query ScopeTags {
    scopeTags { id name }
  }
`);

export function ScopeTagPicker({ value, onChange, error }: { value: string[]; onChange: (ids: string[]) => void; error?: string }) {
  const [{ data }] = useQuery({ query: ScopeTagsDocument });
  if (!data || data.scopeTags.length === 0) return null;
  return (
    <fieldset>
      <legend>Scope tags</legend>
      {data.scopeTags.map((tag) => (
        <label key={tag.id} className="check">
          <input type="checkbox" checked={value.includes(tag.id)} onChange={(e) => onChange(e.target.checked ? [...value, tag.id] : value.filter((t) => t !== tag.id))} />
          {tag.name}
        </label>
      ))}
      {error && <p className="field-error" role="alert">{error}</p>}
    </fieldset>
  );
}
