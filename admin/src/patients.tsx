import {
  Create,
  Datagrid,
  DateField,
  DateInput,
  DeleteButton,
  Edit,
  EditButton,
  EmailField,
  List,
  NumberField,
  NumberInput,
  SearchInput,
  SelectField,
  SelectInput,
  Show,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  email,
  maxValue,
  minValue,
  required,
  useRecordContext,
} from 'react-admin';
import type { Patient } from './api';
import { useStaleVersionNotice } from './staleVersion';

type Choice<T> = { id: NonNullable<T>; name: string };
const GENDERS: Choice<Patient['gender']>[] = [
  { id: 'male', name: 'resources.patients.gender.male' },
  { id: 'female', name: 'resources.patients.gender.female' },
  { id: 'other', name: 'resources.patients.gender.other' },
];
const BLOOD_GROUPS: Choice<Patient['blood_group']>[] = (['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'] as const).map((group) => ({
  id: group,
  name: group,
}));

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="gender" source="gender" choices={GENDERS} />,
  <SelectInput key="blood_group" source="blood_group" choices={BLOOD_GROUPS} translateChoice={false} />,
];

export const PatientList = () => (
  <List filters={filters} sort={{ field: 'id', order: 'DESC' }} perPage={25} exporter={false}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="id" />
      <TextField source="name" />
      <EmailField source="email" sortable={false} />
      <TextField source="phone" sortable={false} />
      <DateField source="date_of_birth" />
      <SelectField source="gender" choices={GENDERS} sortable={false} />
      <TextField source="blood_group" sortable={false} />
      <DateField source="updated_at" showTime />
    </Datagrid>
  </List>
);

/** The soft delete, said before it happens. */
function PatientDeleteButton() {
  const record = useRecordContext<Patient>();
  return (
    <DeleteButton
      mutationMode="pessimistic"
      confirmTitle="hc.patients.delete_title"
      confirmContent="hc.patients.delete_content"
      translateOptions={{ name: record?.name ?? '' }}
    />
  );
}

const ShowActions = () => (
  <TopToolbar>
    <EditButton />
    <PatientDeleteButton />
  </TopToolbar>
);

export const PatientShow = () => (
  <Show actions={<ShowActions />}>
    <SimpleShowLayout>
      <TextField source="name" />
      <EmailField source="email" />
      <TextField source="phone" />
      <DateField source="date_of_birth" />
      <NumberField source="age" />
      <SelectField source="gender" choices={GENDERS} />
      <TextField source="blood_group" />
      <TextField source="address" />
      <TextField source="emergency_contact" />
      <TextField source="medical_history" />
      <DateField source="created_at" showTime />
      <DateField source="updated_at" showTime />
      <NumberField source="version" />
    </SimpleShowLayout>
  </Show>
);

/** A cleared optional field is null for the API (an empty string is not an email, a gender...). */
const emptyToNull = (value: unknown) => (value === '' ? null : value);

const patientForm = (
  <SimpleForm>
    <TextInput source="name" validate={required()} />
    <TextInput source="email" type="email" validate={email()} parse={emptyToNull} />
    <TextInput source="phone" parse={emptyToNull} />
    <DateInput source="date_of_birth" />
    <NumberInput source="age" validate={[minValue(0), maxValue(150)]} />
    <SelectInput source="gender" choices={GENDERS} parse={emptyToNull} />
    <SelectInput source="blood_group" choices={BLOOD_GROUPS} translateChoice={false} parse={emptyToNull} />
    <TextInput source="address" multiline parse={emptyToNull} />
    <TextInput source="emergency_contact" parse={emptyToNull} />
    <TextInput source="medical_history" multiline parse={emptyToNull} />
  </SimpleForm>
);

export const PatientEdit = () => {
  const onError = useStaleVersionNotice();
  return (
    // Pessimistic: the API's answer (a 412, field errors) reaches the open form.
    <Edit mutationMode="pessimistic" mutationOptions={{ onError }}>
      {patientForm}
    </Edit>
  );
};

export const PatientCreate = () => <Create redirect="show">{patientForm}</Create>;
