// A labelled form control in a .form-grid: its hint, and the refusal of the API about it (role
// alert, ids `<id>-hint` / `<id>-error` for aria-describedby). The profile form and the Apple
// Business forms show their refusals this way.
import type { ReactNode } from 'react';

export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div>
        {children}
        {hint && <small className="hint block" id={`${id}-hint`}>{hint}</small>}
        <FieldError id={`${id}-error`} error={error} />
      </div>
    </>
  );
}

/** The refusal about one control, under it (nothing when there is none). */
export function FieldError({ id, error }: { id?: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <small className="field-error block" id={id} role="alert">
      {error}
    </small>
  );
}

/** The aria-describedby of a control inside a Field: its hint and its error, when shown. */
export function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
}

/** aria-invalid and aria-describedby of a control inside a Field. */
export function fieldAria(id: string, hint: boolean, error: string | undefined) {
  return { 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(id, hint, error) };
}

export function Check({ id, label, hint, checked, onChange, error }: { id: string; label: string; hint?: string; checked: boolean; onChange: (checked: boolean) => void; error?: string }) {
  return (
    <div className="full">
      <label className="check">
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} {...fieldAria(id, !!hint, error)} />
        {label}
      </label>
      {hint && <small className="hint block" id={`${id}-hint`}>{hint}</small>}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
