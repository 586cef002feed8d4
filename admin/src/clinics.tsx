import {
  Alert,
  Box,
  Button as MuiButton,
  Card,
  CardContent,
  MenuItem,
  NativeSelect,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField as MuiTextField,
  Typography,
} from '@mui/material';
import { useState, type FormEvent } from 'react';
import {
  Button,
  Confirm,
  Create,
  CreateButton,
  Datagrid,
  DateField,
  Edit,
  EditButton,
  FunctionField,
  List,
  ListContextProvider,
  Show,
  SimpleForm,
  TabbedShowLayout,
  TextField,
  TextInput,
  Title,
  TopToolbar,
  required,
  useGetList,
  useList,
  useNotify,
  usePermissions,
  useRecordContext,
  useRedirect,
  useRefresh,
  useTranslate,
  type TranslateFunction,
} from 'react-admin';
import { Link, useSearchParams } from 'react-router-dom';
import { api, ApiError, currentSession, type Schemas } from './api';
import { ClinicAuditEvents, NO_ORDERING } from './audit';
import { useStaleVersionNotice } from './staleVersion';

export type Clinic = Schemas['ClinicDto'];
type Member = Schemas['ClinicMemberDto'];
type Invitation = Schemas['ClinicInvitationDto'];
type ClinicRole = Member['role'];
const CLINIC_ROLES: ClinicRole[] = ['manager', 'staff', 'clinician'];

/** An API error in words: the problem's detail, then each field's messages. */
export function problemMessage(error: unknown, translate: TranslateFunction): string {
  if (!(error instanceof ApiError)) return (error as Error)?.message || translate('ra.notification.http_error');
  const fields = Object.entries(error.problem.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(' ')}`);
  return [error.message, ...fields].join(' ');
}

/** The way to an invitation by the clinic number its mail gave (the pending ones are listed above the clinics too). */
const InvitationLink = () => {
  const translate = useTranslate();
  return (
    <MuiButton component={Link} to="/clinic-invitation" size="small">
      {translate('hc.clinics.invitation.open')}
    </MuiButton>
  );
};

const ListActions = () => (
  <TopToolbar>
    <CreateButton />
    <InvitationLink />
  </TopToolbar>
);

/**
 * Answers an invitation: accepting opens the clinic, declining shows the clinics; either way the
 * lists are read again (the clinics and the invitations changed). Resolves to the API's refusal in
 * words (no pending invitation to that clinic: 404), or undefined once answered.
 */
function useAnswerInvitation() {
  const translate = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const refresh = useRefresh();
  return async (clinic: number, accept: boolean): Promise<string | undefined> => {
    try {
      await api(`/api/clinics/${clinic}/membership/${accept ? 'accept' : 'decline'}/`, { method: 'POST' });
    } catch (error) {
      return problemMessage(error, translate);
    }
    refresh();
    notify(accept ? 'hc.clinics.invitation.accepted' : 'hc.clinics.invitation.declined', { type: accept ? 'success' : 'info' });
    if (accept) redirect('show', 'clinics', clinic);
    else redirect('list', 'clinics');
    return undefined;
  };
}

/** The caller's pending invitations (GET /api/clinics/invitations/), each answered in place; nothing when there are none. */
function PendingInvitations() {
  const translate = useTranslate();
  const notify = useNotify();
  const answer = useAnswerInvitation();
  const { data } = useGetList<Invitation & { id: number }>('clinic-invitations', {
    pagination: { page: 1, perPage: 100 },
    meta: { path: '/api/clinics/invitations/', all: true },
  });
  if (!data || data.length === 0) return null;
  const send = async (invitation: Invitation, accept: boolean) => {
    const problem = await answer(invitation.clinic, accept);
    if (problem) notify(problem, { type: 'error' });
  };
  return (
    <Card component="section" aria-labelledby="invitations-heading" sx={{ mt: 2 }}>
      <CardContent>
        <Typography id="invitations-heading" variant="h6" component="h2" gutterBottom>
          {translate('hc.clinics.invitations.title', { smart_count: data.length })}
        </Typography>
        <Table size="small" aria-labelledby="invitations-heading">
          <TableHead>
            <TableRow>
              <TableCell>{translate('hc.clinics.invitations.clinic')}</TableCell>
              <TableCell>{translate('hc.clinics.invitations.role')}</TableCell>
              <TableCell>{translate('hc.clinics.invitations.invited_at')}</TableCell>
              <TableCell>{translate('hc.clinics.invitations.answer')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.map((invitation) => (
              <TableRow key={invitation.clinic}>
                <TableCell>{invitation.clinic_name}</TableCell>
                <TableCell>{translate(`hc.clinics.role.${invitation.role}`)}</TableCell>
                <TableCell>{new Date(invitation.invited_at).toLocaleString()}</TableCell>
                <TableCell>
                  <Stack direction="row" spacing={1}>
                    <MuiButton
                      size="small"
                      variant="contained"
                      aria-label={translate('hc.clinics.invitations.accept_of', { name: invitation.clinic_name })}
                      onClick={() => void send(invitation, true)}
                    >
                      {translate('hc.clinics.invitation.accept')}
                    </MuiButton>
                    <MuiButton
                      size="small"
                      variant="outlined"
                      aria-label={translate('hc.clinics.invitations.decline_of', { name: invitation.clinic_name })}
                      onClick={() => void send(invitation, false)}
                    >
                      {translate('hc.clinics.invitation.decline')}
                    </MuiButton>
                  </Stack>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

/**
 * The caller's clinics (admins: every clinic), under the invitations waiting for its answer. The
 * route takes no ordering: they come by id.
 */
export const ClinicList = () => (
  <>
    <PendingInvitations />
    <List sort={NO_ORDERING} perPage={25} actions={<ListActions />} empty={false} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="id" sortable={false} />
        <TextField source="name" sortable={false} />
        <TextField source="timezone" sortable={false} />
        <TextField source="phone" sortable={false} emptyText="—" />
        <TextField source="address" sortable={false} emptyText="—" />
        <DateField source="updated_at" showTime sortable={false} />
      </Datagrid>
    </List>
  </>
);

const emptyToNull = (value: unknown) => (value === '' ? null : value);
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const clinicForm = (
  <SimpleForm>
    <TextInput source="name" validate={required()} />
    <TextInput source="timezone" validate={required()} helperText="hc.clinics.timezone_help" />
    <TextInput source="address" multiline parse={emptyToNull} />
    <TextInput source="phone" parse={emptyToNull} />
  </SimpleForm>
);

/** The creator becomes the clinic's first manager. */
export const ClinicCreate = () => (
  <Create redirect="show" record={{ timezone: browserZone() }}>
    {clinicForm}
  </Create>
);

export const ClinicEdit = () => {
  const onError = useStaleVersionNotice();
  return (
    <Edit mutationMode="pessimistic" mutationOptions={{ onError }}>
      {clinicForm}
    </Edit>
  );
};

/** The clinic's members and invitations, every page of them, with the caller's own role there. */
function useMembers(clinic: number | undefined) {
  const { data, isPending, error, refetch } = useGetList<Member & { id: number }>(
    'clinic-members',
    { pagination: { page: 1, perPage: 100 }, meta: { path: `/api/clinics/${clinic}/members/`, all: true } },
    { enabled: clinic !== undefined },
  );
  const members = (data ?? []).map((member) => ({ ...member, id: member.user }));
  const me = currentSession()?.user.id;
  const mine = members.find((member) => member.user === me && member.status === 'active');
  return { members, mine, isPending, error, refetch };
}

/** Managers (and admins, who run every clinic) change the clinic and its members. */
function useManages(clinic: number | undefined) {
  const { permissions } = usePermissions<string>();
  const { mine, ...rest } = useMembers(clinic);
  return { manages: permissions === 'admin' || mine?.role === 'manager', mine, ...rest };
}

/** The caller leaves the clinic (deletes its own membership); the last manager gets the API's 409. */
function LeaveButton() {
  const clinic = useRecordContext<Clinic>();
  const { mine } = useMembers(clinic?.id);
  const translate = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const [open, setOpen] = useState(false);
  if (!clinic || !mine) return null;
  const leave = async () => {
    setOpen(false);
    try {
      await api(`/api/clinics/${clinic.id}/members/${mine.user}/`, { method: 'DELETE' });
      notify('hc.clinics.leave.done', { type: 'success', messageArgs: { name: clinic.name } });
      redirect('list', 'clinics');
    } catch (error) {
      notify(problemMessage(error, translate), { type: 'error' });
    }
  };
  return (
    <>
      <Button label="hc.clinics.leave.button" onClick={() => setOpen(true)} />
      <Confirm
        isOpen={open}
        title="hc.clinics.leave.title"
        content="hc.clinics.leave.content"
        translateOptions={{ name: clinic.name }}
        onConfirm={() => void leave()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

const ShowActions = () => {
  const clinic = useRecordContext<Clinic>();
  const { manages } = useManages(clinic?.id);
  return (
    <TopToolbar>
      {manages ? <EditButton /> : null}
      <LeaveButton />
    </TopToolbar>
  );
};

/** Invites an existing account, named by its email or username, with a role. */
function InviteForm({ clinic, onInvited }: { clinic: number; onInvited: () => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  const [account, setAccount] = useState('');
  const [role, setRole] = useState<ClinicRole>('staff');
  const [problem, setProblem] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = account.trim();
    if (!name) return;
    try {
      await api(`/api/clinics/${clinic}/members/`, {
        method: 'POST',
        body: JSON.stringify({ [name.includes('@') ? 'email' : 'username']: name, role }),
      });
      setProblem(undefined);
      setAccount('');
      notify('hc.clinics.members.invited', { type: 'success', messageArgs: { account: name } });
      onInvited();
    } catch (error) {
      setProblem(problemMessage(error, translate));
    }
  };
  return (
    <Box component="form" onSubmit={(event) => void submit(event)} aria-label={translate('hc.clinics.members.invite_title')} sx={{ mb: 2 }}>
      <Typography variant="subtitle1" component="h2">
        {translate('hc.clinics.members.invite_title')}
      </Typography>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' } }}>
        <MuiTextField
          label={translate('hc.clinics.members.account')}
          value={account}
          onChange={(event) => setAccount(event.target.value)}
          required
          size="small"
        />
        <MuiTextField
          select
          label={translate('hc.clinics.members.role')}
          value={role}
          onChange={(event) => setRole(event.target.value as ClinicRole)}
          size="small"
          sx={{ minWidth: 160 }}
        >
          {CLINIC_ROLES.map((choice) => (
            <MenuItem key={choice} value={choice}>
              {translate(`hc.clinics.role.${choice}`)}
            </MenuItem>
          ))}
        </MuiTextField>
        <MuiButton type="submit" variant="contained">
          {translate('hc.clinics.members.invite')}
        </MuiButton>
      </Stack>
      {problem ? (
        <Alert severity="error" sx={{ mt: 1 }}>
          {problem}
        </Alert>
      ) : null}
    </Box>
  );
}

/** A member's role, as a select for managers: a change is sent at once (the last manager: 409). */
function MemberRole({ clinic, manages, onChanged }: { clinic: number; manages: boolean; onChanged: () => void }) {
  const member = useRecordContext<Member>();
  const translate = useTranslate();
  const notify = useNotify();
  if (!member) return null;
  if (!manages) return <>{translate(`hc.clinics.role.${member.role}`)}</>;
  const change = async (role: ClinicRole) => {
    try {
      await api(`/api/clinics/${clinic}/members/${member.user}/`, { method: 'PATCH', body: JSON.stringify({ role }) });
      notify('hc.clinics.members.role_changed', { type: 'success', messageArgs: { account: member.username } });
    } catch (error) {
      notify(problemMessage(error, translate), { type: 'error' });
    }
    onChanged();
  };
  return (
    <NativeSelect
      value={member.role}
      onChange={(event) => void change(event.target.value as ClinicRole)}
      onClick={(event) => event.stopPropagation()}
      inputProps={{ 'aria-label': translate('hc.clinics.members.role_of', { account: member.username }) }}
    >
      {CLINIC_ROLES.map((choice) => (
        <option key={choice} value={choice}>
          {translate(`hc.clinics.role.${choice}`)}
        </option>
      ))}
    </NativeSelect>
  );
}

/** Removes a member, or withdraws an invitation, after a confirmation. */
function RemoveMember({ clinic, onRemoved }: { clinic: number; onRemoved: () => void }) {
  const member = useRecordContext<Member>();
  const translate = useTranslate();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  if (!member) return null;
  const remove = async () => {
    setOpen(false);
    try {
      await api(`/api/clinics/${clinic}/members/${member.user}/`, { method: 'DELETE' });
      notify('hc.clinics.members.removed', { type: 'success', messageArgs: { account: member.username } });
    } catch (error) {
      notify(problemMessage(error, translate), { type: 'error' });
    }
    onRemoved();
  };
  return (
    <>
      <Button
        label="hc.clinics.members.remove"
        aria-label={translate('hc.clinics.members.remove_of', { account: member.username })}
        onClick={() => setOpen(true)}
      />
      <Confirm
        isOpen={open}
        title="hc.clinics.members.remove_title"
        content="hc.clinics.members.remove_content"
        translateOptions={{ account: member.username }}
        onConfirm={() => void remove()}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

function ClinicMembers() {
  const clinic = useRecordContext<Clinic>();
  const translate = useTranslate();
  const { members, manages, isPending, error, refetch } = useManages(clinic?.id);
  const list = useList({ data: members, isPending, error, perPage: 25, sort: { field: 'username', order: 'ASC' } });
  if (!clinic) return null;
  const reload = () => void refetch();
  return (
    <Box>
      {manages ? <InviteForm clinic={clinic.id} onInvited={reload} /> : null}
      <ListContextProvider value={list}>
        <Datagrid bulkActionButtons={false} resource="clinic-members" rowClick={false}>
          <TextField source="username" label="hc.clinics.members.username" />
          <FunctionField
            label="hc.clinics.members.role"
            render={() => <MemberRole clinic={clinic.id} manages={manages} onChanged={reload} />}
          />
          <FunctionField<Member> label="hc.clinics.members.status" render={(member) => translate(`hc.clinics.status.${member.status}`)} />
          <DateField source="created_at" label="hc.clinics.members.since" showTime />
          {manages ? (
            <FunctionField label="hc.clinics.members.actions" render={() => <RemoveMember clinic={clinic.id} onRemoved={reload} />} />
          ) : null}
        </Datagrid>
      </ListContextProvider>
    </Box>
  );
}

function ClinicAudit() {
  const clinic = useRecordContext<Clinic>();
  return clinic ? <ClinicAuditEvents clinic={clinic.id} /> : null;
}

/** The audit tab is for the clinic's managers; the API answers anyone else 403. */
function ClinicTabs() {
  const clinic = useRecordContext<Clinic>();
  const { manages } = useManages(clinic?.id);
  return (
    <TabbedShowLayout>
      <TabbedShowLayout.Tab label="hc.clinics.tabs.details">
        <TextField source="name" />
        <TextField source="timezone" />
        <TextField source="address" emptyText="—" />
        <TextField source="phone" emptyText="—" />
        <DateField source="created_at" showTime />
        <DateField source="updated_at" showTime />
        <TextField source="version" />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="hc.clinics.tabs.members" path="members">
        <ClinicMembers />
      </TabbedShowLayout.Tab>
      {manages ? (
        <TabbedShowLayout.Tab label="hc.clinics.tabs.audit" path="audit">
          <ClinicAudit />
        </TabbedShowLayout.Tab>
      ) : null}
    </TabbedShowLayout>
  );
}

export const ClinicShow = () => (
  <Show actions={<ShowActions />}>
    <ClinicTabs />
  </Show>
);

/**
 * An invitation answered by the clinic's number, as the invitation mail names it (the clinic is a
 * 404 to the invited account until it accepts); `?clinic=N` fills it in, for a link. The clinics
 * list shows the pending invitations with their answers too.
 */
export function ClinicInvitation() {
  const translate = useTranslate();
  const send = useAnswerInvitation();
  const [search] = useSearchParams();
  const [clinic, setClinic] = useState(search.get('clinic') ?? '');
  const [problem, setProblem] = useState<string>();
  const id = Number(clinic);
  const valid = Number.isInteger(id) && id > 0;
  const answer = async (accept: boolean) => setProblem(await send(id, accept));
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={translate('hc.clinics.invitation.title')} />
      <CardContent>
        <Typography component="h1" variant="h6" gutterBottom>
          {translate('hc.clinics.invitation.title')}
        </Typography>
        <Typography variant="body2" sx={{ mb: 2 }}>
          {translate('hc.clinics.invitation.help')}
        </Typography>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' } }}>
          <MuiTextField
            label={translate('hc.clinics.invitation.clinic')}
            value={clinic}
            onChange={(event) => setClinic(event.target.value)}
            slotProps={{ htmlInput: { inputMode: 'numeric', pattern: '[0-9]*' } }}
            size="small"
          />
          <MuiButton variant="contained" disabled={!valid} onClick={() => void answer(true)}>
            {translate('hc.clinics.invitation.accept')}
          </MuiButton>
          <MuiButton variant="outlined" disabled={!valid} onClick={() => void answer(false)}>
            {translate('hc.clinics.invitation.decline')}
          </MuiButton>
        </Stack>
        {problem ? (
          <Alert severity="error" sx={{ mt: 2 }}>
            {problem}
          </Alert>
        ) : null}
      </CardContent>
    </Card>
  );
}
