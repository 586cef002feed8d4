import {
  AutocompleteInput,
  BooleanField,
  Create,
  Datagrid,
  DateField,
  DeleteButton,
  List,
  NullableBooleanInput,
  ReferenceInput,
  SelectInput,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  required,
  useRecordContext,
} from 'react-admin';
import type { Schemas } from './api';

export type Assignment = Schemas['MappingDto'];

interface PickerProps {
  source?: string;
  label?: string;
  validate?: ReturnType<typeof required>;
}

/** A record of `reference` picked by name, found with the API's `search` (react-admin's `q`). */
const pickerOf = (reference: string, defaultSource: string) =>
  function Picker({ source = defaultSource, label, validate }: PickerProps) {
    return (
      <ReferenceInput source={source} reference={reference}>
        <AutocompleteInput optionText="name" label={label} validate={validate} />
      </ReferenceInput>
    );
  };

export const PatientInput = pickerOf('patients', 'patient');
export const DoctorInput = pickerOf('doctors', 'doctor');

/** The caller's clinics (the API has no search over them: a plain choice). */
export const ClinicInput = ({ source = 'clinic' }: { source?: string }) => (
  <ReferenceInput source={source} reference="clinics">
    <SelectInput optionText="name" />
  </ReferenceInput>
);

const filters = [
  <PatientInput key="patient" />,
  <DoctorInput key="doctor" />,
  <ClinicInput key="clinic" />,
  <NullableBooleanInput key="is_active" source="is_active" alwaysOn />,
];

/** Ends the assignment (DELETE): said before it happens; an ended one has nothing to end. */
function EndButton() {
  const record = useRecordContext<Assignment>();
  if (!record?.is_active) return null;
  return (
    <DeleteButton
      label="hc.appointments.assignments.end"
      mutationMode="pessimistic"
      confirmTitle="hc.appointments.assignments.end_title"
      confirmContent="hc.appointments.assignments.end_content"
      translateOptions={{ doctor: record.doctor_details.name, patient: record.patient_details.name }}
    />
  );
}

/**
 * An assignment's details, opened in its row: the API has no route for one assignment
 * (`/api/mappings/{id}/` lists the doctors of patient {id}, the path the Django clients use).
 */
const AssignmentDetails = () => (
  <SimpleShowLayout>
    <TextField source="patient_details.email" />
    <TextField source="patient_details.phone" />
    <TextField source="doctor_details.consultation_fee" />
    <TextField source="notes" />
    <TextField source="created_by" />
    <DateField source="ended_at" showTime />
  </SimpleShowLayout>
);

export const AssignmentList = () => (
  // No export: react-admin's exporter asks for 1000 rows, over the API's largest page.
  <List filters={filters} filterDefaultValues={{ is_active: true }} perPage={25} exporter={false}>
    <Datagrid rowClick="expand" expand={<AssignmentDetails />} bulkActionButtons={false}>
      <TextField source="id" sortable={false} />
      <TextField source="patient_details.name" sortable={false} />
      <TextField source="doctor_details.name" sortable={false} />
      <TextField source="doctor_details.specialization" sortable={false} />
      <TextField source="notes" sortable={false} />
      <BooleanField source="is_active" sortable={false} />
      <DateField source="assigned_at" showTime sortable={false} />
      <EndButton />
    </Datagrid>
  </List>
);

export const AssignmentCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <PatientInput validate={required()} />
      <DoctorInput validate={required()} />
      <TextInput source="notes" multiline />
    </SimpleForm>
  </Create>
);
