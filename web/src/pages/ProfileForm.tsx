// The enrollment profile wizard (create) and form (edit): basics; device management settings with
// each rule explained inline; Setup Assistant panes as show/hide toggles from the schema's pane
// catalogue (the SetupPane enum and its descriptions); review. A refusal's extensions.violations
// are shown on the fields they name, and the wizard goes back to the first step holding one.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useLocation } from 'wouter';
import { graphql } from '../gql';
import type { SetupPane } from '../gql/graphql';
import { ChoiceSelect } from '../components/ChoiceSelect';
import { Check, Field } from '../components/Field';
import { errorMessage, fieldMessage, violations as violationsOf, type Violation } from '../errors';

const SetupPaneCatalogueDocument = graphql(`
  query SetupPaneCatalogue {
    __type(name: "SetupPane") { enumValues { name description } }
  }
`);

const ProfileTokensDocument = graphql(`
  query ProfileTokens {
    depTokens(first: 200) { edges { node { id name } } }
    vppTokens(first: 200) { edges { node { id name } } }
  }
`);

const CreateEnrollmentProfileDocument = graphql(`
  mutation CreateEnrollmentProfile($input: CreateEnrollmentProfileInput!) {
    createEnrollmentProfile(input: $input) { profile { id name } }
  }
`);

const UpdateEnrollmentProfileDocument = graphql(`
  mutation UpdateEnrollmentProfile($input: UpdateEnrollmentProfileInput!) {
    updateEnrollmentProfile(input: $input) { profile { id name } movedDevices warnings { field message } }
  }
`);

export interface ProfileValues {
  tokenId: string;
  name: string;
  description: string;
  userAffinity: 'WITH_USER' | 'WITHOUT_USER';
  authenticationMethod: 'COMPANY_PORTAL' | 'SETUP_ASSISTANT';
  installCompanyPortal: boolean;
  companyPortalVppTokenId: string;
  singleAppModeUntilAuthentication: boolean;
  supervised: boolean;
  lockedEnrollment: boolean;
  syncWithComputers: 'ALLOW_ALL' | 'DENY_ALL' | 'ALLOW_BY_CERTIFICATE';
  awaitFinalConfiguration: boolean;
  deviceNameTemplate: string;
  departmentName: string;
  departmentPhone: string;
  hiddenSetupPanes: SetupPane[];
}

export const EMPTY_PROFILE: ProfileValues = {
  tokenId: '',
  name: '',
  description: '',
  userAffinity: 'WITH_USER',
  authenticationMethod: 'SETUP_ASSISTANT',
  installCompanyPortal: false,
  companyPortalVppTokenId: '',
  singleAppModeUntilAuthentication: false,
  supervised: true,
  lockedEnrollment: false,
  syncWithComputers: 'ALLOW_ALL',
  awaitFinalConfiguration: false,
  deviceNameTemplate: '',
  departmentName: '',
  departmentPhone: '',
  hiddenSetupPanes: [],
};

const STEPS = ['Basics', 'Device management settings', 'Setup Assistant', 'Review + create'];
const STEP_OF_FIELD: Record<string, number> = {
  tokenId: 0, name: 0, description: 0, userAffinity: 0, authenticationMethod: 0, installCompanyPortal: 0, companyPortalVppTokenId: 0, singleAppModeUntilAuthentication: 0,
  supervised: 1, lockedEnrollment: 1, syncWithComputers: 1, appleConfiguratorCertificateIds: 1, awaitFinalConfiguration: 1, deviceNameTemplate: 1, departmentName: 1, departmentPhone: 1,
  hiddenSetupPanes: 2,
};

function inputOf(v: ProfileValues) {
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const withUser = v.userAffinity === 'WITH_USER';
  return {
    name: v.name.trim(),
    description: text(v.description),
    userAffinity: v.userAffinity,
    authenticationMethod: withUser ? v.authenticationMethod : null,
    installCompanyPortal: withUser ? v.installCompanyPortal : false,
    companyPortalVppTokenId: withUser && v.installCompanyPortal ? text(v.companyPortalVppTokenId) : null,
    singleAppModeUntilAuthentication: withUser ? v.singleAppModeUntilAuthentication : false,
    supervised: v.supervised,
    lockedEnrollment: v.lockedEnrollment,
    syncWithComputers: v.syncWithComputers,
    awaitFinalConfiguration: v.awaitFinalConfiguration,
    deviceNameTemplate: text(v.deviceNameTemplate),
    departmentName: text(v.departmentName),
    departmentPhone: text(v.departmentPhone),
    hiddenSetupPanes: v.hiddenSetupPanes,
  };
}

export function ProfileForm({ profileId, initial, onSaved }: { profileId?: string; initial: ProfileValues; onSaved?: () => void }) {
  const editing = profileId !== undefined;
  const [, navigate] = useLocation();
  const [values, setValues] = useState(initial);
  const [step, setStep] = useState(0);
  const [refusal, setRefusal] = useState<{ message: string | null; violations: Violation[] }>({ message: null, violations: [] });
  const [{ data: tokens }] = useQuery({ query: ProfileTokensDocument });
  const [{ data: catalogue }] = useQuery({ query: SetupPaneCatalogueDocument });
  const [created, create] = useMutation(CreateEnrollmentProfileDocument);
  const [updated, update] = useMutation(UpdateEnrollmentProfileDocument);
  const set = <K extends keyof ProfileValues>(key: K, value: ProfileValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const fieldError = (field: string) => fieldMessage(refusal.violations, field);

  const save = async () => {
    const result = editing ? await update({ input: { profileId, ...inputOf(values) } }) : await create({ input: { tokenId: values.tokenId, ...inputOf(values) } });
    if (result.error) {
      const list = violationsOf(result.error);
      setRefusal({ message: errorMessage(result.error), violations: list });
      const steps = list.map((v) => STEP_OF_FIELD[v.field]).filter((s) => s !== undefined);
      if (steps.length && !editing) setStep(Math.min(...steps));
      return;
    }
    setRefusal({ message: null, violations: [] });
    if (result.data && 'createEnrollmentProfile' in result.data) navigate(`/${encodeURIComponent(result.data.createEnrollmentProfile.profile.id)}`);
    onSaved?.();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!editing && step < STEPS.length - 1) setStep(step + 1);
    else void save();
  };
  const shown = (n: number) => editing || step === n;
  const withUser = values.userAffinity === 'WITH_USER';
  const panes = catalogue?.__type?.enumValues ?? [];
  const depTokens = tokens?.depTokens.edges.map((e) => e.node) ?? [];
  const vppTokens = tokens?.vppTokens.edges.map((e) => e.node) ?? [];

  return (
    <form onSubmit={submit} className="wizard" aria-label={editing ? 'Edit profile' : 'Create profile'} noValidate>
      {!editing && (
        <ol className="steps" aria-label="Steps">
          {STEPS.map((label, i) => (
            <li key={label} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : undefined}>
              {i + 1}. {label}
            </li>
          ))}
        </ol>
      )}
      {refusal.message && (
        <p role="alert" className="error">
          {refusal.violations.length ? 'The profile was refused: see the fields marked below.' : refusal.message}
        </p>
      )}

      {shown(0) && (
        <fieldset className="form-grid">
          <legend>Basics</legend>
          {!editing && (
            <Field id="p-token" label="DEP token" error={fieldError('tokenId')}>
              <ChoiceSelect id="p-token" value={values.tokenId} onChange={(id) => set('tokenId', id)} required empty="Choose a token" choices={depTokens} />
            </Field>
          )}
          <Field id="p-name" label="Profile name" error={fieldError('name')}>
            <input id="p-name" value={values.name} maxLength={200} onChange={(e) => set('name', e.target.value)} required />
          </Field>
          <Field id="p-description" label="Description" error={fieldError('description')}>
            <input id="p-description" value={values.description} maxLength={1000} onChange={(e) => set('description', e.target.value)} />
          </Field>
          <Field id="p-affinity" label="User affinity" error={fieldError('userAffinity')} hint="With user: the device is tied to the person who enrolls it. Changing it resets the authentication settings.">
            <select id="p-affinity" value={values.userAffinity} onChange={(e) => set('userAffinity', e.target.value as ProfileValues['userAffinity'])}>
              <option value="WITH_USER">Enroll with user affinity</option>
              <option value="WITHOUT_USER">Enroll without user affinity</option>
            </select>
          </Field>
          {withUser && (
            <>
              <Field id="p-auth" label="Authentication method" error={fieldError('authenticationMethod')} hint="Company Portal needs the app installed from a VPP token.">
                <select id="p-auth" value={values.authenticationMethod} onChange={(e) => set('authenticationMethod', e.target.value as ProfileValues['authenticationMethod'])}>
                  <option value="SETUP_ASSISTANT">Setup Assistant with modern authentication</option>
                  <option value="COMPANY_PORTAL">Company Portal</option>
                </select>
              </Field>
              <Check id="p-install-cp" label="Install Company Portal with VPP" checked={values.installCompanyPortal} onChange={(c) => set('installCompanyPortal', c)} error={fieldError('installCompanyPortal')} />
              {values.installCompanyPortal && (
                <Field id="p-vpp" label="Company Portal VPP token" error={fieldError('companyPortalVppTokenId')}>
                  <ChoiceSelect id="p-vpp" value={values.companyPortalVppTokenId} onChange={(id) => set('companyPortalVppTokenId', id)} empty="Choose a VPP token" choices={vppTokens} />
                </Field>
              )}
              <Check
                id="p-single-app"
                label="Run Company Portal in single app mode until authentication"
                hint="Needs Company Portal authentication, its VPP token and supervision."
                checked={values.singleAppModeUntilAuthentication}
                onChange={(c) => set('singleAppModeUntilAuthentication', c)}
                error={fieldError('singleAppModeUntilAuthentication')}
              />
            </>
          )}
        </fieldset>
      )}

      {shown(1) && (
        <fieldset className="form-grid">
          <legend>Device management settings</legend>
          <Check id="p-supervised" label="Supervised" hint="Needed for locked enrollment, single app mode and most management features." checked={values.supervised} onChange={(c) => set('supervised', c)} error={fieldError('supervised')} />
          <Check id="p-locked" label="Locked enrollment" hint="Users cannot remove the management profile. Requires a supervised profile." checked={values.lockedEnrollment} onChange={(c) => set('lockedEnrollment', c)} error={fieldError('lockedEnrollment')} />
          <Field id="p-sync" label="Sync with computers" error={fieldError('syncWithComputers') || fieldError('appleConfiguratorCertificateIds')} hint="Allow by certificate needs 1 to 10 Apple Configurator certificates.">
            <select id="p-sync" value={values.syncWithComputers} onChange={(e) => set('syncWithComputers', e.target.value as ProfileValues['syncWithComputers'])}>
              <option value="ALLOW_ALL">Allow all</option>
              <option value="DENY_ALL">Deny all</option>
              <option value="ALLOW_BY_CERTIFICATE">Allow Apple Configurator by certificate</option>
            </select>
          </Field>
          <Check id="p-await" label="Await final configuration" hint="Setup Assistant waits until the device is configured." checked={values.awaitFinalConfiguration} onChange={(c) => set('awaitFinalConfiguration', c)} error={fieldError('awaitFinalConfiguration')} />
          <Field id="p-device-name" label="Device name template" error={fieldError('deviceNameTemplate')} hint="May use {{SERIAL}} and {{DEVICETYPE}}; at most 63 characters once expanded.">
            <input id="p-device-name" value={values.deviceNameTemplate} maxLength={200} onChange={(e) => set('deviceNameTemplate', e.target.value)} />
          </Field>
          <Field id="p-department" label="Department name" error={fieldError('departmentName')} hint='Shown under "About configuration".'>
            <input id="p-department" value={values.departmentName} maxLength={200} onChange={(e) => set('departmentName', e.target.value)} />
          </Field>
          <Field id="p-phone" label="Department phone" error={fieldError('departmentPhone')} hint='Shown under "Need help?".'>
            <input id="p-phone" value={values.departmentPhone} maxLength={200} onChange={(e) => set('departmentPhone', e.target.value)} />
          </Field>
        </fieldset>
      )}

      {shown(2) && (
        <fieldset className="panes">
          <legend>Setup Assistant panes (shown or hidden during setup)</legend>
          {fieldError('hiddenSetupPanes') && <p className="field-error">{fieldError('hiddenSetupPanes')}</p>}
          {panes.map((pane) => {
            const hidden = values.hiddenSetupPanes.includes(pane.name as SetupPane);
            const label = (pane.description ?? pane.name).replace(/\s*Apple key:.*$/, '').replace(/\.$/, '');
            return (
              <label key={pane.name} className="check">
                <input
                  type="checkbox"
                  role="switch"
                  checked={!hidden}
                  onChange={(e) => set('hiddenSetupPanes', e.target.checked ? values.hiddenSetupPanes.filter((p) => p !== pane.name) : [...values.hiddenSetupPanes, pane.name as SetupPane])}
                />
                {label}: {hidden ? 'Hide' : 'Show'}
              </label>
            );
          })}
        </fieldset>
      )}

      {!editing && step === 3 && (
        <section aria-label="Review">
          <h2>Review</h2>
          <dl className="facts">
            <dt>Name</dt>
            <dd>{values.name}</dd>
            <dt>User affinity</dt>
            <dd>{values.userAffinity === 'WITH_USER' ? `With user (${values.authenticationMethod === 'COMPANY_PORTAL' ? 'Company Portal' : 'Setup Assistant'})` : 'Without user'}</dd>
            <dt>Supervised</dt>
            <dd>{values.supervised ? 'Yes' : 'No'}</dd>
            <dt>Locked enrollment</dt>
            <dd>{values.lockedEnrollment ? 'Yes' : 'No'}</dd>
            <dt>Sync with computers</dt>
            <dd>{values.syncWithComputers}</dd>
            <dt>Hidden panes</dt>
            <dd>{values.hiddenSetupPanes.length ? values.hiddenSetupPanes.join(', ') : 'none'}</dd>
          </dl>
        </section>
      )}

      <div className="toolbar">
        {!editing && step > 0 && (
          <button type="button" className="secondary" onClick={() => setStep(step - 1)}>
            Back
          </button>
        )}
        <button type="submit" disabled={created.fetching || updated.fetching || (!editing && step === 0 && (!values.tokenId || !values.name.trim()))}>
          {editing ? 'Save' : step < STEPS.length - 1 ? 'Next' : 'Create'}
        </button>
        {updated.data && !refusal.message && <span role="status">Saved{updated.data.updateEnrollmentProfile.movedDevices ? `: ${updated.data.updateEnrollmentProfile.movedDevices} devices moved to the new Apple profile` : ''}</span>}
      </div>
    </form>
  );
}
