import TodayIcon from '@mui/icons-material/Today';
import { Box, Button, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import {
  Create,
  CreateButton,
  Datagrid,
  DateField,
  DateInput,
  DateTimeInput,
  Edit,
  EditButton,
  FilterButton,
  Labeled,
  List,
  NumberField,
  NumberInput,
  SelectField,
  SelectInput,
  Show,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  maxValue,
  minValue,
  required,
  useGetOne,
  useListContext,
  useNotify,
  useRecordContext,
  useRefresh,
  useTranslate,
  useUpdate,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { api, currentSession, type Doctor, type Schemas } from './api';
import { ClinicInput, DoctorInput, PatientInput } from './assignments';
import { useStaleVersionNotice } from './staleVersion';

export type Appointment = Schemas['AppointmentDto'];
export type AppointmentStatus = Schemas['AppointmentStatus'];
type StatusChange = Schemas['StatusChangeDto'];

const STATUSES: AppointmentStatus[] = ['SCHEDULED', 'CHECKED_IN', 'COMPLETED', 'CANCELLED', 'NO_SHOW'];
export const STATUS_CHOICES = STATUSES.map((status) => ({ id: status, name: `resources.appointments.status.${status}` }));

/** The status moves the API allows (src/appointments/appointment-status.ts): only forward. */
const NEXT: Record<AppointmentStatus, AppointmentStatus[]> = {
  SCHEDULED: ['CHECKED_IN', 'COMPLETED', 'CANCELLED', 'NO_SHOW'],
  CHECKED_IN: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
  NO_SHOW: [],
};
/** Outcomes only the appointment's doctor (its linked account) or an admin records. */
const CLINICIAN_ONLY: AppointmentStatus[] = ['COMPLETED', 'NO_SHOW'];

/**
 * The next statuses this caller may set, as the API decides them (access.policy.ts
 * `statusChangeRefusal`): the appointment's doctor and admins make every forward move; the
 * patient side (owners, clinic staff) only checks in or cancels a scheduled appointment.
 */
export function nextStatuses(status: AppointmentStatus, clinician: boolean): AppointmentStatus[] {
  if (clinician) return NEXT[status];
  if (status !== 'SCHEDULED') return [];
  return NEXT[status].filter((next) => !CLINICIAN_ONLY.includes(next));
}

const filters = [
  <SelectInput key="status" source="status" choices={STATUS_CHOICES} alwaysOn />,
  <DoctorInput key="doctor" />,
  <PatientInput key="patient" />,
  <ClinicInput key="clinic" />,
  <DateInput key="from" source="from" />,
  <DateInput key="to" source="to" />,
];

/** To the day view: of a doctor (the list's doctor filter, an appointment's doctor), on an appointment's day. */
export function DayViewButton({ doctor, at }: { doctor?: number | string; at?: string }) {
  const translate = useTranslate();
  const search = new URLSearchParams();
  if (doctor) search.set('doctor', String(doctor));
  if (at) search.set('at', at);
  return (
    <Button component={Link} to={{ pathname: '/day', search: search.toString() }} size="small" startIcon={<TodayIcon />}>
      {translate('hc.appointments.day.menu')}
    </Button>
  );
}

const ListActions = () => {
  const { doctor } = useListContext().filterValues as { doctor?: number };
  return (
    <TopToolbar>
      <DayViewButton doctor={doctor} />
      <FilterButton />
      <CreateButton />
    </TopToolbar>
  );
};

export const AppointmentList = () => (
  // The API lists by start (no ordering to choose), the next appointments first.
  <List filters={filters} actions={<ListActions />} perPage={25} exporter={false}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <DateField source="appointment_datetime" showTime sortable={false} />
      <NumberField source="duration_minutes" sortable={false} />
      <TextField source="patient_details.name" sortable={false} />
      <TextField source="doctor_details.name" sortable={false} />
      <SelectField source="status" choices={STATUS_CHOICES} sortable={false} />
      <TextField source="reason" sortable={false} />
    </Datagrid>
  </List>
);

/** Is the caller this appointment's doctor (its profile's linked account)? Asked only of doctor accounts. */
function useIsAppointmentDoctor(appointment: Appointment | undefined): boolean {
  const me = currentSession()?.user;
  const { data: doctor } = useGetOne<Doctor>(
    'doctors',
    { id: appointment?.doctor ?? 0 },
    { enabled: Boolean(appointment && me?.role === 'doctor') },
  );
  return Boolean(me && doctor && doctor.user === me.id);
}

/**
 * A button for each status this caller may move the appointment to; a PATCH with If-Match. A
 * refusal shows the API's message (a 412: someone changed it meanwhile, with a reload).
 */
// `label={false}`: SimpleShowLayout adds no empty label above it (it has its own heading).
function StatusButtons(_: { label: false }) {
  const record = useRecordContext<Appointment>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const onError = useStaleVersionNotice();
  const [update, { isPending }] = useUpdate<Appointment>();
  const isDoctor = useIsAppointmentDoctor(record);
  if (!record) return null;
  const clinician = currentSession()?.user.role === 'admin' || isDoctor;
  const next = nextStatuses(record.status, clinician);
  const move = (status: AppointmentStatus) =>
    update(
      'appointments',
      { id: record.id, data: { status }, previousData: record },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => {
          notify('hc.appointments.status_changed', {
            type: 'success',
            messageArgs: { status: translate(`resources.appointments.status.${status}`) },
          });
          refresh();
        },
        onError,
      },
    );
  return (
    <Box component="section" aria-labelledby="status-heading">
      <Typography id="status-heading" variant="subtitle2" component="h2" gutterBottom>
        {translate('hc.appointments.change_status')}
      </Typography>
      {next.length === 0 ? (
        <Typography variant="body2">{translate('hc.appointments.no_status_change')}</Typography>
      ) : (
        <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
          {next.map((status) => (
            <Button
              key={status}
              variant={status === 'CANCELLED' || status === 'NO_SHOW' ? 'outlined' : 'contained'}
              color={status === 'CANCELLED' ? 'error' : 'primary'}
              disabled={isPending}
              onClick={() => void move(status)}
            >
              {translate(`hc.appointments.to.${status}`)}
            </Button>
          ))}
        </Stack>
      )}
    </Box>
  );
}

/** The status changes, oldest first (GET /api/appointments/{id}/history/). */
function History() {
  const record = useRecordContext<Appointment>();
  const translate = useTranslate();
  const id = record?.id;
  // Under the resource's key, so react-admin's refresh (after a status change) reloads it too.
  const { data, error } = useQuery({
    queryKey: ['appointments', 'history', id],
    queryFn: async () => (await api<StatusChange[]>(`/api/appointments/${id}/history/`)).body,
    enabled: id !== undefined,
  });
  const status = (value: AppointmentStatus | null) => (value ? translate(`resources.appointments.status.${value}`) : '—');
  const field = (name: string) => translate(`resources.appointments.fields.${name}`);
  return (
    <Box component="section" aria-labelledby="history-heading" sx={{ px: 2, pb: 2 }}>
      <Typography id="history-heading" variant="subtitle2" component="h2" gutterBottom>
        {translate('hc.appointments.history')}
      </Typography>
      {error ? <Typography color="error">{error.message}</Typography> : null}
      {data && data.length === 0 ? <Typography variant="body2">{translate('hc.appointments.history_empty')}</Typography> : null}
      {data && data.length > 0 ? (
        <Table size="small" aria-labelledby="history-heading">
          <TableHead>
            <TableRow>
              <TableCell>{field('from')}</TableCell>
              <TableCell>{field('to')}</TableCell>
              <TableCell>{field('changed_by')}</TableCell>
              <TableCell>{field('changed_at')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.map((change) => (
              <TableRow key={`${change.changed_at}-${change.to}`}>
                <TableCell>{status(change.from)}</TableCell>
                <TableCell>{status(change.to)}</TableCell>
                <TableCell>{change.changed_by}</TableCell>
                <TableCell>{new Date(change.changed_at).toLocaleString()}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Box>
  );
}

/** The patient's and the doctor's names, linking to their pages. */
function PartyLink({ kind }: { kind: 'patient' | 'doctor'; label: false }) {
  const record = useRecordContext<Appointment>();
  if (!record) return null;
  const details = kind === 'patient' ? record.patient_details : record.doctor_details;
  return (
    <Labeled label={`resources.appointments.fields.${kind}`}>
      <Link to={`/${kind}s/${details.id}/show`}>{details.name}</Link>
    </Labeled>
  );
}

/** Edit only while the appointment can change (SCHEDULED, or reason and notes of a CHECKED_IN one). */
function ShowActions() {
  const record = useRecordContext<Appointment>();
  return (
    <TopToolbar>
      {record ? <DayViewButton doctor={record.doctor} at={record.appointment_datetime} /> : null}
      {record && (record.status === 'SCHEDULED' || record.status === 'CHECKED_IN') ? <EditButton /> : null}
    </TopToolbar>
  );
}

export const AppointmentShow = () => (
  <Show actions={<ShowActions />}>
    <SimpleShowLayout>
      <DateField source="appointment_datetime" showTime />
      <DateField source="ends_at" showTime />
      <NumberField source="duration_minutes" />
      <SelectField source="status" choices={STATUS_CHOICES} />
      <StatusButtons label={false} />
      <PartyLink kind="patient" label={false} />
      <PartyLink kind="doctor" label={false} />
      <TextField source="reason" />
      <TextField source="notes" />
      <DateField source="created_at" showTime />
      <DateField source="updated_at" showTime />
      <NumberField source="version" />
    </SimpleShowLayout>
    <History />
  </Show>
);

const emptyToNull = (value: unknown) => (value === '' ? null : value);

/** The form's local date-time (the browser's zone) as the instant, with a zone as the API wants. */
function withZonedStart<T extends { appointment_datetime?: unknown }>(data: T): T {
  const start = data.appointment_datetime;
  if (typeof start !== 'string' || start === '') return data;
  return { ...data, appointment_datetime: new Date(start).toISOString() };
}

export const AppointmentCreate = () => (
  <Create redirect="show" transform={withZonedStart}>
    <SimpleForm defaultValues={{ duration_minutes: 30 }}>
      <PatientInput validate={required()} />
      <DoctorInput validate={required()} />
      <DateTimeInput source="appointment_datetime" validate={required()} />
      <NumberInput source="duration_minutes" validate={[required(), minValue(5), maxValue(480)]} />
      <TextInput source="reason" parse={emptyToNull} />
      <TextInput source="notes" multiline parse={emptyToNull} />
    </SimpleForm>
  </Create>
);

export const AppointmentEdit = () => {
  const onError = useStaleVersionNotice();
  return (
    // Pessimistic: the API's answer (a 412, a 409 overlap, field errors) reaches the open form.
    <Edit mutationMode="pessimistic" mutationOptions={{ onError }} transform={withZonedStart}>
      <SimpleForm>
        <DateTimeInput source="appointment_datetime" validate={required()} />
        <NumberInput source="duration_minutes" validate={[required(), minValue(5), maxValue(480)]} />
        <TextInput source="reason" parse={emptyToNull} />
        <TextInput source="notes" multiline parse={emptyToNull} />
      </SimpleForm>
    </Edit>
  );
};
