// Devices picked by serial number in a device table (Devices, the organisation's devices): the
// checkbox of each row and of the whole page, and the count line above the table that says how
// many devices match and how many are selected.
import { useState } from 'react';

export interface SerialSelection {
  selected: ReadonlySet<string>;
  toggle: (serials: readonly string[], on: boolean) => void;
  clear: () => void;
}

export function useSerialSelection(): SerialSelection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  return {
    selected,
    toggle: (serials, on) =>
      setSelected((s) => {
        const next = new Set(s);
        for (const serial of serials) {
          if (on) next.add(serial);
          else next.delete(serial);
        }
        return next;
      }),
    clear: () => setSelected(new Set()),
  };
}

/** The header cell whose checkbox selects (or clears) every device on the page. */
export function SelectAllCell({ serials, selection }: { serials: readonly string[]; selection: SerialSelection }) {
  const allOnPage = serials.length > 0 && serials.every((serial) => selection.selected.has(serial));
  return (
    <th scope="col">
      <input type="checkbox" aria-label="Select all devices on this page" checked={allOnPage} onChange={(e) => selection.toggle(serials, e.target.checked)} />
    </th>
  );
}

export function SelectCell({ serial, selection }: { serial: string; selection: SerialSelection }) {
  return (
    <td>
      <input type="checkbox" aria-label={`Select ${serial}`} checked={selection.selected.has(serial)} onChange={(e) => selection.toggle([serial], e.target.checked)} />
    </td>
  );
}

/** "N devices · M selected" once the list is read, "Loading…" before. */
export function DeviceCount({ total, fetching, selection }: { total: number | undefined; fetching: boolean; selection: SerialSelection }) {
  const { size } = selection.selected;
  return (
    <p aria-live="polite">
      {total !== undefined ? `${total} devices` : fetching ? 'Loading…' : ''}
      {size > 0 && ` · ${size} selected`}
    </p>
  );
}
