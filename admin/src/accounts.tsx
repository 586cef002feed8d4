import { useState } from 'react';
import {
  BooleanField,
  BooleanInput,
  Button,
  Confirm,
  Create,
  CreateButton,
  Datagrid,
  DateField,
  Edit,
  EditButton,
  EmailField,
  List,
  NullableBooleanInput,
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
  required,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
  useTranslate,
} from 'react-admin';
import { api, type Schemas } from './api';
import { AdminsOnly } from './audit';
import { problemMessage } from './clinics';

export type UserAccount = Schemas['UserDto'];

const ROLES: { id: UserAccount['role']; name: string }[] = [
  { id: 'patient', name: 'hc.accounts.role.patient' },
  { id: 'doctor', name: 'hc.accounts.role.doctor' },
  { id: 'admin', name: 'hc.accounts.role.admin' },
];

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="role" source="role" choices={ROLES} alwaysOn />,
  <NullableBooleanInput key="is_active" source="is_active" alwaysOn />,
];

const ListActions = () => (
  <TopToolbar>
    <CreateButton />
  </TopToolbar>
);

/**
 * Every account, for admins: the API searches, filters, orders and pages them (`search`, `role`,
 * `is_active`, `ordering`), newest first unless a column says otherwise.
 */
export const AccountList = () => {
  const translate = useTranslate();
  const { permissions, isPending } = usePermissions<string>();
  if (isPending) return null;
  if (permissions !== 'admin') return <AdminsOnly />;
  return (
    <List
      filters={filters}
      actions={<ListActions />}
      sort={{ field: 'id', order: 'DESC' }}
      perPage={25}
      empty={false}
      title={translate('resources.accounts.name', { smart_count: 2 })}
    >
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="id" />
        <TextField source="username" />
        <EmailField source="email" />
        <TextField source="name" sortable={false} />
        <SelectField source="role" choices={ROLES} sortable={false} />
        <BooleanField source="is_active" sortable={false} />
        <DateField source="locked_until" showTime emptyText="—" sortable={false} />
        <DateField source="last_login" showTime emptyText="—" />
        <DateField source="date_joined" showTime />
      </Datagrid>
    </List>
  );
};

/**
 * An admin's action on the account (a POST without a body), said first in a dialog; the API's
 * answer (its status, or its problem) is shown after.
 */
function AccountAction({ action, name }: { action: 'unlock' | 'sessions/end' | 'password-reset'; name: string }) {
  const record = useRecordContext<UserAccount>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!record) return null;
  const run = async () => {
    setBusy(true);
    try {
      await api(`/api/users/${record.id}/${action}/`, { method: 'POST' });
      notify(`hc.accounts.${name}.done`, { type: 'success', messageArgs: { username: record.username } });
      refresh();
    } catch (error) {
      notify(problemMessage(error, translate), { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <>
      <Button label={`hc.accounts.${name}.button`} onClick={() => setOpen(true)} />
      <Confirm
        isOpen={open}
        loading={busy}
        title={`hc.accounts.${name}.title`}
        content={`hc.accounts.${name}.content`}
        translateOptions={{ username: record.username }}
        onConfirm={() => void run()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

const ShowActions = () => (
  <TopToolbar>
    <EditButton />
    <AccountAction action="unlock" name="unlock" />
    <AccountAction action="sessions/end" name="end_sessions" />
    <AccountAction action="password-reset" name="password_reset" />
  </TopToolbar>
);

export const AccountShow = () => (
  <Show actions={<ShowActions />}>
    <SimpleShowLayout>
      <TextField source="id" />
      <TextField source="username" />
      <EmailField source="email" />
      <BooleanField source="email_verified" />
      <TextField source="name" emptyText="—" />
      <TextField source="phone" emptyText="—" />
      <SelectField source="role" choices={ROLES} />
      <BooleanField source="is_active" />
      <DateField source="locked_until" showTime emptyText="—" />
      <DateField source="last_login" showTime emptyText="—" />
      <DateField source="date_joined" showTime />
    </SimpleShowLayout>
  </Show>
);

/** Accounts carry no version: the PATCH sends what changed, and the last write wins. */
export const AccountEdit = () => (
  <Edit mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="email" type="email" validate={[required(), email()]} />
      <SelectInput source="role" choices={ROLES} validate={required()} />
      <BooleanInput source="is_active" helperText="hc.accounts.is_active_help" />
    </SimpleForm>
  </Edit>
);

const emptyToNull = (value: unknown) => (value === '' ? null : value);

/** A new account gets no password: its owner is mailed a link to choose one. */
export const AccountCreate = () => (
  <Create redirect="show">
    <SimpleForm defaultValues={{ role: 'patient' }}>
      <TextInput source="email" type="email" validate={[required(), email()]} helperText="hc.accounts.create_help" />
      <TextInput source="username" parse={emptyToNull} />
      <TextInput source="name" parse={emptyToNull} />
      <TextInput source="phone" parse={emptyToNull} />
      <SelectInput source="role" choices={ROLES} validate={required()} />
    </SimpleForm>
  </Create>
);
