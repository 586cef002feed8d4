import { Alert, Stack } from '@mui/material';
import {
  ChipField,
  Datagrid,
  DateField,
  DateTimeInput,
  FilterForm,
  FunctionField,
  List,
  ListBase,
  NumberField,
  NumberInput,
  Pagination,
  ReferenceField,
  SelectField,
  SelectInput,
  SimpleShowLayout,
  TextField,
  TextInput,
  usePermissions,
  useTranslate,
  type SortPayload,
} from 'react-admin';
import type { Schemas } from './api';

export type AuditEvent = Schemas['AuditEventDto'];

/** The audit routes take no `ordering`: they answer newest first. An empty field sends none. */
export const NO_ORDERING: SortPayload = { field: '', order: 'DESC' };

/** The kinds of record the trail names (`entity`); the API may add more. */
const ENTITIES = ['patient', 'mapping', 'appointment', 'schedule', 'doctor', 'user', 'clinic', 'clinic_member'].map((entity) => ({
  id: entity,
  name: entity,
}));
const OUTCOMES: { id: AuditEvent['outcome']; name: string }[] = [
  { id: 'success', name: 'hc.audit.outcome.success' },
  { id: 'failure', name: 'hc.audit.outcome.failure' },
  { id: 'denied', name: 'hc.audit.outcome.denied' },
];

/** A local date and time from the picker as the instant the API takes (nothing while it is incomplete). */
const toInstant = (value: string | Date | null | undefined) => {
  const instant = value ? new Date(value) : undefined;
  return instant && !Number.isNaN(instant.getTime()) ? instant.toISOString() : undefined;
};

/** The filters of both trails (`GET /api/audit-events/` and a clinic's), always shown. */
export const auditFilters = [
  <NumberInput key="actor" source="actor" alwaysOn min={1} />,
  <SelectInput key="entity" source="entity" choices={ENTITIES} translateChoice={false} alwaysOn />,
  <NumberInput key="entity_id" source="entity_id" alwaysOn min={1} />,
  <TextInput key="action" source="action" alwaysOn />,
  <DateTimeInput key="from" source="from" alwaysOn parse={toInstant} />,
  <DateTimeInput key="to" source="to" alwaysOn parse={toInstant} />,
];

/** What a row leaves out: the changed fields' names, the request and the address. */
const AuditDetails = () => (
  <SimpleShowLayout>
    <TextField source="id" />
    <DateField source="occurred_at" showTime />
    <FunctionField<AuditEvent> source="changed_fields" render={(event) => event.changed_fields.join(', ') || '—'} />
    <TextField source="request_id" emptyText="—" />
    <TextField source="client_ip" emptyText="—" />
    <NumberField source="clinic" emptyText="—" />
  </SimpleShowLayout>
);

/**
 * The entries as a table, each row expanding to its details. Admins see who acted by name (their
 * accounts are readable to them); a clinic's managers see the actor's id.
 */
export function AuditGrid({ admin = false }: { admin?: boolean }) {
  return (
    <Datagrid rowClick="expand" expand={<AuditDetails />} bulkActionButtons={false}>
      <DateField source="occurred_at" showTime sortable={false} />
      {admin ? (
        <ReferenceField source="actor" reference="accounts" link="show" sortable={false} emptyText="—">
          <TextField source="username" />
        </ReferenceField>
      ) : (
        <NumberField source="actor" sortable={false} emptyText="—" />
      )}
      <ChipField source="action" sortable={false} />
      <TextField source="entity" sortable={false} />
      <NumberField source="entity_id" sortable={false} emptyText="—" />
      <SelectField source="outcome" choices={OUTCOMES} sortable={false} />
      {admin ? <NumberField source="clinic" sortable={false} emptyText="—" /> : null}
    </Datagrid>
  );
}

/** What a page for admins shows anyone else (the API would answer 403). */
export function AdminsOnly() {
  const translate = useTranslate();
  return (
    <Alert severity="info" sx={{ mt: 2 }}>
      {translate('hc.admins_only')}
    </Alert>
  );
}

/** The whole trail, for admins: read-only, newest first. */
export const AuditEventList = () => {
  const { permissions, isPending } = usePermissions<string>();
  if (isPending) return null;
  if (permissions !== 'admin') return <AdminsOnly />;
  return (
    <List filters={auditFilters} sort={NO_ORDERING} perPage={25} exporter={false} actions={false}>
      <AuditGrid admin />
    </List>
  );
};

/** One clinic's trail (`GET /api/clinics/:id/audit-events/`), for its managers: a tab of the clinic's page. */
export const ClinicAuditEvents = ({ clinic }: { clinic: number }) => (
  <ListBase
    resource="audit-events"
    // The clinic's page is signed in already, and `audit-events` is the admins' menu entry
    // (access.ts): the clinic's trail is its managers', whom the API lets through.
    disableAuthentication
    queryOptions={{ meta: { path: `/api/clinics/${clinic}/audit-events/` } }}
    sort={NO_ORDERING}
    perPage={25}
    disableSyncWithLocation
    storeKey={false}
  >
    <Stack spacing={1}>
      <FilterForm filters={auditFilters} />
      <AuditGrid />
      <Pagination />
    </Stack>
  </ListBase>
);
