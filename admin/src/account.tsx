import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField as MuiTextField,
  Typography,
} from '@mui/material';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  Authenticated,
  CanAccess,
  Confirm,
  Form,
  FormDataConsumer,
  SaveButton,
  TextInput,
  Title,
  email,
  maxLength,
  minLength,
  required,
  useGetIdentity,
  useLogout,
  useNotify,
  useTranslate,
} from 'react-admin';
import { encode } from 'uqr';
import { api, ApiError, type Schemas } from './api';
import { twoFactor } from './authProvider';

type Me = Schemas['UserDto'];
type Session = Schemas['SessionDto'];
type TotpSetup = Schemas['TotpSetupDto'];
type RecoveryCodes = Schemas['RecoveryCodesDto'];
type Values = Record<string, unknown>;

/** An API error's problem as the page shows it: its detail, and its field errors for the form ({field: message}). */
function problemOf(error: unknown): { detail: string; fields?: Record<string, string> } {
  if (!(error instanceof ApiError)) return { detail: error instanceof Error ? error.message : String(error) };
  const errors = error.problem.errors;
  return {
    detail: error.message,
    fields: errors && Object.fromEntries(Object.entries(errors).map(([field, messages]) => [field, messages.join(' ')])),
  };
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
/** A cleared optional field is null for the API. */
const emptyToNull = (value: unknown) => (value === '' ? null : value);
/** Read by screen readers, not shown. */
const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;
const when = (value: string | null | undefined) => (value ? new Date(value).toLocaleString() : '—');

function Section({ title, children }: { title: string; children: ReactNode }) {
  const translate = useTranslate();
  const id = `account-${title.replace(/\W/g, '-')}`;
  return (
    <Card component="section" aria-labelledby={id}>
      <CardContent>
        <Typography id={id} variant="h6" component="h2" gutterBottom>
          {translate(title)}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

/** The caller's account: name, phone and email (a new email needs the current password). */
function Profile({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  const { refetch } = useGetIdentity();

  const save = async (values: Values) => {
    const changes: Values = {};
    for (const field of ['name', 'phone', 'email'] as const)
      if ((values[field] ?? null) !== me[field]) changes[field] = values[field] ?? null;
    if ('email' in changes) changes.current_password = values.current_password;
    if (Object.keys(changes).length === 0) return;
    try {
      const { body } = await api<Me>('/api/auth/me/', { method: 'PATCH', body: JSON.stringify(changes) });
      onSaved(body);
      void refetch();
      notify('hc.account.profile.saved', { type: 'success' });
    } catch (error) {
      const problem = problemOf(error);
      notify(problem.detail, { type: 'error' });
      return problem.fields;
    }
  };

  return (
    <Section title="hc.account.profile.title">
      <Stack direction="row" spacing={3} sx={{ mb: 2, flexWrap: 'wrap' }}>
        <Typography>
          {translate('hc.account.fields.username')}: <strong>{me.username}</strong>
        </Typography>
        <Typography>
          {translate('hc.account.fields.role')}: <strong>{translate(`hc.roles.${me.role}`)}</strong>
        </Typography>
        <Typography>
          {translate('hc.account.fields.email_verified')}: {translate(me.email_verified ? 'hc.account.yes' : 'hc.account.no')}
        </Typography>
        <Typography>
          {translate('hc.account.fields.date_joined')}: {when(me.date_joined)}
        </Typography>
      </Stack>
      {/* A new key after each save: the form starts again from the account as it is now. */}
      <Form key={JSON.stringify(me)} record={me} onSubmit={save}>
        <Stack sx={{ maxWidth: 480 }}>
          <TextInput source="name" label="hc.account.fields.name" validate={maxLength(150)} parse={emptyToNull} autoComplete="name" />
          <TextInput source="phone" label="hc.account.fields.phone" parse={emptyToNull} autoComplete="tel" />
          <TextInput source="email" label="hc.account.fields.email" type="email" validate={[required(), email()]} autoComplete="email" />
          <FormDataConsumer>
            {({ formData }) =>
              formData.email !== me.email && (
                <TextInput
                  source="current_password"
                  label="hc.account.fields.current_password"
                  helperText="hc.account.profile.email_needs_password"
                  type="password"
                  autoComplete="current-password"
                  validate={required()}
                />
              )
            }
          </FormDataConsumer>
          <Box>
            <SaveButton />
          </Box>
        </Stack>
      </Form>
    </Section>
  );
}

/** A new password: the API ends every other session, and this one goes on with a refresh (api.ts). */
function Password({ onChanged }: { onChanged: () => void }) {
  const notify = useNotify();
  const [formKey, setFormKey] = useState(0);

  const change = async (values: Values) => {
    if (values.new_password !== values.confirm_password) return { confirm_password: 'hc.account.password.mismatch' };
    try {
      await api('/api/auth/password/change/', {
        method: 'POST',
        body: JSON.stringify({ current_password: values.current_password, new_password: values.new_password }),
      });
      setFormKey((key) => key + 1);
      notify('hc.account.password.changed', { type: 'success' });
      onChanged();
    } catch (error) {
      const problem = problemOf(error);
      notify(problem.detail, { type: 'error' });
      return problem.fields;
    }
  };

  return (
    <Section title="hc.account.password.title">
      <Form key={formKey} onSubmit={change}>
        <Stack sx={{ maxWidth: 480 }}>
          <TextInput
            source="current_password"
            label="hc.account.fields.current_password"
            type="password"
            autoComplete="current-password"
            validate={required()}
          />
          <TextInput
            source="new_password"
            label="hc.account.fields.new_password"
            type="password"
            autoComplete="new-password"
            validate={[required(), minLength(8)]}
          />
          <TextInput
            source="confirm_password"
            label="hc.account.fields.confirm_password"
            helperText="hc.account.password.help"
            type="password"
            autoComplete="new-password"
            validate={required()}
          />
          <Box>
            <SaveButton label="hc.account.password.change" alwaysEnable />
          </Box>
        </Stack>
      </Form>
    </Section>
  );
}

/** A QR code as an SVG drawn here: one path of dark squares, for an image nothing has to load. */
function QrCode({ value, label }: { value: string; label: string }) {
  const { size, path } = useMemo(() => {
    const { data, size } = encode(value, { ecc: 'M', border: 2 });
    return { size, path: data.flatMap((row, y) => row.map((dark, x) => (dark ? `M${x} ${y}h1v1h-1z` : ''))).join('') };
  }, [value]);
  return (
    <Box
      component="svg"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      sx={{ width: 200, height: 200, bgcolor: 'common.white', display: 'block' }}
    >
      <path d={path} fill="#000" />
    </Box>
  );
}

/**
 * Two-factor authentication: set up (QR code and secret), turned on with a code (recovery codes,
 * once), turned off. `onChanged`: an account whose role must have it can use the rest of the API
 * once it is on.
 */
function TwoFactor({ onChanged }: { onChanged: () => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  const [on, setOn] = useState(twoFactor.isOn() ?? false);
  const [setup, setSetup] = useState<TotpSetup>();
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [codeError, setCodeError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [offKey, setOffKey] = useState(0);

  const known = (next: boolean) => {
    twoFactor.set(next);
    setOn(next);
  };
  /** A 409: another session turned it on or off meanwhile; the page now says what the API said. */
  const conflict = (error: unknown, state: boolean) => {
    if (error instanceof ApiError && error.status === 409) known(state);
  };

  const startSetup = async () => {
    setBusy(true);
    try {
      setSetup((await api<TotpSetup>('/api/auth/mfa/totp/setup/', { method: 'POST' })).body);
      setCodeError(undefined);
    } catch (error) {
      conflict(error, true);
      notify(problemOf(error).detail, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const enable = async (code: string) => {
    setBusy(true);
    try {
      const { body } = await api<RecoveryCodes>('/api/auth/mfa/totp/enable/', { method: 'POST', body: JSON.stringify({ code }) });
      setRecoveryCodes(body.recovery_codes);
      setSetup(undefined);
      known(true);
      onChanged();
      notify('hc.account.two_factor.enabled', { type: 'success' });
    } catch (error) {
      const problem = problemOf(error);
      setCodeError(problem.fields?.code);
      if (error instanceof ApiError && error.status === 409) setSetup(undefined);
      conflict(error, true);
      notify(problem.detail, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const disable = async (values: Values) => {
    try {
      await api('/api/auth/mfa/totp/disable/', { method: 'POST', body: JSON.stringify(values) });
      known(false);
      setOffKey((key) => key + 1);
      notify('hc.account.two_factor.disabled', { type: 'success' });
    } catch (error) {
      conflict(error, false);
      const problem = problemOf(error);
      notify(problem.detail, { type: 'error' });
      return problem.fields;
    }
  };

  return (
    <Section title="hc.account.two_factor.title">
      {recoveryCodes && (
        <Alert severity="warning" sx={{ mb: 2 }} role="region" aria-label={translate('hc.account.two_factor.recovery_title')}>
          <Typography sx={{ mb: 1 }}>{translate('hc.account.two_factor.recovery_note')}</Typography>
          <Box component="ol" sx={{ fontFamily: 'monospace', columns: 2, mt: 0 }}>
            {recoveryCodes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </Box>
          <Button variant="outlined" color="inherit" onClick={() => setRecoveryCodes(undefined)}>
            {translate('hc.account.two_factor.recovery_done')}
          </Button>
        </Alert>
      )}
      <Typography sx={{ mb: 2 }}>{translate(on ? 'hc.account.two_factor.is_on' : 'hc.account.two_factor.is_off')}</Typography>
      {!on && !setup && (
        <Button variant="contained" disabled={busy} onClick={() => void startSetup()}>
          {translate('hc.account.two_factor.set_up')}
        </Button>
      )}
      {!on && setup && (
        <Stack spacing={2} sx={{ maxWidth: 480 }}>
          <Typography>{translate('hc.account.two_factor.scan')}</Typography>
          <QrCode value={setup.otpauth_url} label={translate('hc.account.two_factor.qr')} />
          <MuiTextField
            label={translate('hc.account.fields.secret')}
            value={setup.secret}
            slotProps={{ htmlInput: { readOnly: true, spellCheck: false, style: { fontFamily: 'monospace' } } }}
            onFocus={(event) => event.target.select()}
          />
          <Box
            component="form"
            aria-label={translate('hc.account.two_factor.turn_on')}
            onSubmit={(event) => {
              event.preventDefault();
              void enable(text(new FormData(event.currentTarget).get('code')));
            }}
            sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'flex-start', '& button': { flexShrink: 0 } }}
          >
            <MuiTextField
              name="code"
              label={translate('hc.account.fields.code')}
              helperText={codeError ?? translate('hc.account.two_factor.code_help')}
              error={codeError !== undefined}
              autoComplete="one-time-code"
              slotProps={{ htmlInput: { inputMode: 'numeric' } }}
              required
            />
            <Button type="submit" variant="contained" disabled={busy} sx={{ mt: 1 }}>
              {translate('hc.account.two_factor.turn_on')}
            </Button>
            <Button disabled={busy} sx={{ mt: 1 }} onClick={() => setSetup(undefined)}>
              {translate('ra.action.cancel')}
            </Button>
          </Box>
        </Stack>
      )}
      {on && (
        <Form key={offKey} onSubmit={disable}>
          <Typography sx={{ mb: 1 }}>{translate('hc.account.two_factor.turn_off_help')}</Typography>
          <Stack sx={{ maxWidth: 480 }}>
            <TextInput
              source="current_password"
              label="hc.account.fields.current_password"
              type="password"
              autoComplete="current-password"
              validate={required()}
            />
            <TextInput source="code" label="hc.account.fields.code" autoComplete="one-time-code" validate={required()} />
            <Box>
              <SaveButton label="hc.account.two_factor.turn_off" color="warning" alwaysEnable />
            </Box>
          </Stack>
        </Form>
      )}
    </Section>
  );
}

/** The account's sessions: end one, the others, or all (this one included, which signs the console out). */
function Sessions({ reload }: { reload: number }) {
  const translate = useTranslate();
  const notify = useNotify();
  const logout = useLogout();
  const [sessions, setSessions] = useState<Session[]>();
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);

  const load = useCallback(async () => {
    try {
      const { body, headers } = await api<Session[]>('/api/auth/sessions/?page_size=100');
      setSessions(body);
      setTotal(Number(headers.get('X-Total-Count') ?? body.length));
      setError(undefined);
    } catch (failure) {
      setError(problemOf(failure).detail);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, reload]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (failure) {
      notify(problemOf(failure).detail, { type: 'error' });
    } finally {
      setBusy(false);
      await load();
    }
  };
  const end = (id: number) => api(`/api/auth/sessions/${id}/`, { method: 'DELETE' });
  const endOne = (id: number) =>
    run(async () => {
      await end(id);
      notify('hc.account.sessions.ended', { type: 'success' });
    });
  const endOthers = () =>
    run(async () => {
      const others = (sessions ?? []).filter((session) => !session.current);
      await Promise.all(others.map((session) => end(session.id)));
      notify('hc.account.sessions.others_ended', { type: 'success', messageArgs: { smart_count: others.length } });
    });
  const endAll = async () => {
    setConfirmAll(false);
    setBusy(true);
    try {
      await api('/api/auth/logout/all/', { method: 'POST' });
      notify('hc.account.sessions.everywhere_done', { type: 'info' });
      await logout();
    } catch (failure) {
      notify(problemOf(failure).detail, { type: 'error' });
      setBusy(false);
    }
  };

  return (
    <Section title="hc.account.sessions.title">
      <Typography sx={{ mb: 2 }}>{translate('hc.account.sessions.help')}</Typography>
      {error && <Alert severity="error">{error}</Alert>}
      {sessions && (
        <Table size="small" aria-label={translate('hc.account.sessions.title')}>
          <TableHead>
            <TableRow>
              <TableCell>{translate('hc.account.sessions.created')}</TableCell>
              <TableCell>{translate('hc.account.sessions.last_used')}</TableCell>
              <TableCell>{translate('hc.account.sessions.expires')}</TableCell>
              <TableCell>{translate('hc.account.sessions.address')}</TableCell>
              <TableCell>{translate('hc.account.sessions.client')}</TableCell>
              <TableCell>
                <Box component="span" sx={VISUALLY_HIDDEN}>
                  {translate('hc.account.sessions.actions')}
                </Box>
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {sessions.map((session) => (
              <TableRow key={session.id} data-session={session.id}>
                <TableCell>{when(session.created_at)}</TableCell>
                <TableCell>{when(session.last_used_at)}</TableCell>
                <TableCell>{when(session.expires_at)}</TableCell>
                <TableCell>{session.client_address ?? '—'}</TableCell>
                <TableCell sx={{ maxWidth: 320, overflowWrap: 'anywhere' }}>{session.user_agent ?? '—'}</TableCell>
                <TableCell align="right">
                  {session.current ? (
                    <Chip size="small" color="primary" label={translate('hc.account.sessions.current')} />
                  ) : (
                    <Button
                      size="small"
                      disabled={busy}
                      aria-label={translate('hc.account.sessions.end_label', { id: session.id })}
                      onClick={() => void endOne(session.id)}
                    >
                      {translate('hc.account.sessions.end')}
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {sessions && total > sessions.length && (
        <Typography variant="body2" sx={{ mt: 1 }}>
          {translate('hc.account.sessions.more', { shown: sessions.length, total })}
        </Typography>
      )}
      <Typography variant="body2" sx={{ mt: 2 }}>
        {translate('hc.account.sessions.access_note')}
      </Typography>
      <Stack direction="row" spacing={2} sx={{ mt: 2 }}>
        <Button variant="outlined" disabled={busy || !sessions?.some((session) => !session.current)} onClick={() => void endOthers()}>
          {translate('hc.account.sessions.end_others')}
        </Button>
        <Button variant="outlined" color="warning" disabled={busy} onClick={() => setConfirmAll(true)}>
          {translate('hc.account.sessions.everywhere')}
        </Button>
      </Stack>
      <Confirm
        isOpen={confirmAll}
        title="hc.account.sessions.everywhere_title"
        content="hc.account.sessions.everywhere_content"
        onConfirm={() => void endAll()}
        onClose={() => setConfirmAll(false)}
      />
    </Section>
  );
}

/** /admin/account: the caller's own account, reached from the side menu. */
export function AccountPage() {
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<string>();
  // Bumped when the sessions changed elsewhere on the page (a new password ends the others), or may now be listed (two-factor on).
  const [sessionsVersion, setSessionsVersion] = useState(0);

  useEffect(() => {
    api<Me>('/api/auth/me/').then(
      ({ body }) => setMe(body),
      (failure: unknown) => setError(problemOf(failure).detail),
    );
  }, []);

  return (
    <Authenticated>
      <CanAccess resource="account" action="read">
        <Title title="hc.account.title" />
        <Stack spacing={2} sx={{ my: 2 }}>
          {error && <Alert severity="error">{error}</Alert>}
          {me && <Profile me={me} onSaved={setMe} />}
          <Password onChanged={() => setSessionsVersion((version) => version + 1)} />
          <TwoFactor onChanged={() => setSessionsVersion((version) => version + 1)} />
          <Sessions reload={sessionsVersion} />
        </Stack>
      </CanAccess>
    </Authenticated>
  );
}
