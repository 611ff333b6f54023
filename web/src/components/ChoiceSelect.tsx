// A <select> of named things by id (tokens, profiles, statuses) whose first option is the empty
// choice ("All tokens", "Choose a profile"): the filters, the Assign / Import forms and the profile
// form pick from such lists.
import type { SelectHTMLAttributes } from 'react';

export interface Choice {
  id: string;
  name: string;
}

type Props = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'> & {
  choices: readonly Choice[];
  /** The first option's text; choosing it gives ''. */
  empty: string;
  value: string;
  onChange: (id: string) => void;
};

export function ChoiceSelect({ choices, empty, value, onChange, ...select }: Props) {
  return (
    <select {...select} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{empty}</option>
      {choices.map((choice) => (
        <option key={choice.id} value={choice.id}>
          {choice.name}
        </option>
      ))}
    </select>
  );
}
