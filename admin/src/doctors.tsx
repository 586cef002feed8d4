import ScheduleIcon from '@mui/icons-material/Schedule';
import { Button } from '@mui/material';
import { Link } from 'react-router-dom';
import {
  Create,
  Datagrid,
  DeleteButton,
  Edit,
  EditButton,
  EmailField,
  List,
  NumberField,
  NumberInput,
  SaveButton,
  SearchInput,
  SelectInput,
  Show,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  Toolbar,
  TopToolbar,
  email,
  maxValue,
  minValue,
  required,
  useGetList,
  usePermissions,
  useRecordContext,
  useTranslate,
  type RaRecord,
} from 'react-admin';
import { currentSession, type Doctor, type Schemas } from './api';
import { DoctorSchedulePanel } from './schedule';
import { useStaleVersionNotice } from './staleVersion';

type Clinic = Schemas['ClinicDto'];

/** The names the API keeps for seed 004's codes: suggestions, since a specialization is free text. */
const SPECIALIZATIONS = [
  'General Practice',
  'Cardiology',
  'Neurology',
  'Pediatrics',
  'Orthopedics',
  'Dermatology',
  'Psychiatry',
  'Radiology',
  'Surgery',
  'Other',
];
const SPECIALIZATION_LIST = 'hc-doctors-specializations';

/** A text input suggesting the usual specializations (a datalist: any other text goes too). */
const SpecializationInput = (props: { source: string; alwaysOn?: boolean; validate?: ReturnType<typeof required> }) => (
  <>
    <TextInput {...props} slotProps={{ htmlInput: { list: SPECIALIZATION_LIST } }} />
    <datalist id={SPECIALIZATION_LIST}>
      {SPECIALIZATIONS.map((name) => (
        <option key={name} value={name} />
      ))}
    </datalist>
  </>
);

/** The caller's clinics (admins: all of them), to choose from and to name a profile's clinic. */
function useClinics(): Clinic[] {
  // The clinics list takes no ordering: an empty sort field sends none.
  const { data } = useGetList<Clinic & RaRecord>('clinics', { pagination: { page: 1, perPage: 100 }, sort: { field: '', order: 'ASC' } });
  return data ?? [];
}

const useFilters = () => {
  const clinics = useClinics();
  return [
    <SearchInput key="q" source="q" alwaysOn />,
    <SpecializationInput key="specialization" source="specialization" alwaysOn />,
    ...(clinics.length > 0 ? [<SelectInput key="clinic" source="clinic" choices={clinics} optionText="name" />] : []),
  ];
};

export const DoctorList = () => (
  <List filters={useFilters()} sort={{ field: 'id', order: 'ASC' }} perPage={25} exporter={false}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="id" />
      <TextField source="name" />
      <TextField source="specialization" />
      <TextField source="hospital" sortable={false} />
      <EmailField source="email" sortable={false} />
      <TextField source="phone" sortable={false} />
      <NumberField source="experience_years" />
      <TextField source="consultation_fee" />
    </Datagrid>
  </List>
);

/**
 * Whether the caller may change the profile, as far as the console can tell: an admin, its linked
 * account, the creator of an unlinked one, or maybe a manager of its clinic. The API decides.
 */
export function mayChange(doctor: Doctor | undefined): boolean {
  const me = currentSession()?.user;
  if (!doctor || !me) return false;
  if (me.role === 'admin' || doctor.clinic !== null) return true;
  return doctor.user === null ? doctor.created_by === me.id : doctor.user === me.id;
}

/** The soft delete, said before it happens. */
function DoctorDeleteButton() {
  const record = useRecordContext<Doctor>();
  return (
    <DeleteButton
      mutationMode="pessimistic"
      confirmTitle="hc.doctors.delete_title"
      confirmContent="hc.doctors.delete_content"
      translateOptions={{ name: record?.name ?? '' }}
    />
  );
}

/** To the profile's weekly schedule editor. */
function ScheduleButton() {
  const record = useRecordContext<Doctor>();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <Button component={Link} to={`/doctors/${record.id}/schedule`} size="small" startIcon={<ScheduleIcon />}>
      {translate('hc.doctors.schedule.button')}
    </Button>
  );
}

const ShowActions = () => {
  const record = useRecordContext<Doctor>();
  return (
    <TopToolbar>
      {mayChange(record) && [<ScheduleButton key="schedule" />, <EditButton key="edit" />, <DoctorDeleteButton key="delete" />]}
    </TopToolbar>
  );
};

/** The profile's clinic by name when it is one of the caller's, else its id. */
// `source` names the field for its label in the show layout.
function ClinicName(_props: { source: string }) {
  const record = useRecordContext<Doctor>();
  const clinics = useClinics();
  if (record?.clinic == null) return null;
  const clinic = clinics.find(({ id }) => id === record.clinic);
  return <span>{clinic ? clinic.name : `#${record.clinic}`}</span>;
}

export const DoctorShow = () => (
  <Show actions={<ShowActions />}>
    <SimpleShowLayout>
      <TextField source="name" />
      <TextField source="specialization" />
      <TextField source="hospital" />
      <EmailField source="email" />
      <TextField source="phone" />
      <TextField source="license_number" />
      <NumberField source="experience_years" />
      <TextField source="consultation_fee" />
      <TextField source="address" />
      <TextField source="availability" />
      <ClinicName source="clinic" />
      <NumberField source="user" />
      <NumberField source="version" />
    </SimpleShowLayout>
    <DoctorSchedulePanel />
  </Show>
);

/** A cleared optional field is null for the API (an empty string is not an email, a fee...). */
const emptyToNull = (value: unknown) => (value === '' ? null : value);
const FEE = /^\d{1,8}(\.\d{1,2})?$/;
/** The API's decimal string (react-admin's `regex` is typed through lodash's memoize, which this build lacks). */
const feeFormat = (value: unknown) => (typeof value !== 'string' || value === '' || FEE.test(value) ? undefined : 'hc.doctors.fee_format');

function DoctorForm({ toolbar }: { toolbar?: React.ReactElement }) {
  const clinics = useClinics();
  const { permissions } = usePermissions<string>();
  return (
    <SimpleForm toolbar={toolbar}>
      <TextInput source="name" validate={required()} />
      <SpecializationInput source="specialization" validate={required()} />
      <TextInput source="email" type="email" validate={email()} parse={emptyToNull} />
      <TextInput source="phone" parse={emptyToNull} />
      <TextInput source="license_number" parse={emptyToNull} />
      <NumberInput source="experience_years" min={0} max={80} step={1} validate={[minValue(0), maxValue(80)]} />
      <TextInput source="consultation_fee" validate={feeFormat} parse={emptyToNull} helperText="hc.doctors.fee_help" />
      <TextInput source="hospital" parse={emptyToNull} />
      <TextInput source="address" multiline parse={emptyToNull} />
      <TextInput source="availability" parse={emptyToNull} helperText="hc.doctors.availability_help" />
      {clinics.length > 0 && (
        <SelectInput source="clinic" choices={clinics} optionText="name" parse={emptyToNull} emptyText="hc.doctors.no_clinic" />
      )}
      {/* Only an admin links an account (of role doctor); the API refuses anyone else. */}
      {permissions === 'admin' && <NumberInput source="user" min={1} step={1} helperText="hc.doctors.user_help" />}
    </SimpleForm>
  );
}

const EditToolbar = () => (
  <Toolbar sx={{ justifyContent: 'space-between' }}>
    <SaveButton />
    <DoctorDeleteButton />
  </Toolbar>
);

export const DoctorEdit = () => {
  const onError = useStaleVersionNotice();
  return (
    // Pessimistic: the API's answer (a 412, a 403, field errors) reaches the open form.
    <Edit mutationMode="pessimistic" mutationOptions={{ onError }}>
      <DoctorForm toolbar={<EditToolbar />} />
    </Edit>
  );
};

export const DoctorCreate = () => (
  <Create redirect="show">
    <DoctorForm />
  </Create>
);
