import {
  Alert,
  Button,
  Card,
  CardActionArea,
  CardContent,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useMemo } from 'react';
import { Title, useCanAccess, useGetList, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { currentSession, type Schemas } from './api';

type Appointment = Schemas['AppointmentDto'];

/** No `ordering`: the appointments come in the API's own order (by start), and a count needs none. */
const NO_SORT = { field: '', order: 'ASC' } as const;

/** A refusal (4xx) is the API's answer, not a hiccup: said at once rather than asked again three times. */
const retry = (failures: number, error: unknown) => {
  const status = (error as { status?: number } | null)?.status;
  return (status === undefined || status >= 500) && failures < 2;
};

/** A list's path in the console, with its filter as react-admin reads it from the URL. */
const listPath = (resource: string, filter?: Record<string, unknown>) =>
  filter ? `/${resource}?${new URLSearchParams({ filter: JSON.stringify(filter) }).toString()}` : `/${resource}`;

/** An error of the API as the dashboard says it; a 403 (e.g. two-factor authentication to set up first) points to the account page. */
function Problem({ error }: { error: unknown }) {
  const translate = useTranslate();
  const { message, status } = error as { message?: string; status?: number };
  return (
    <Alert
      severity="error"
      action={
        status === 403 ? (
          <Button component={Link} to="/account" color="inherit" size="small">
            {translate('hc.account.menu')}
          </Button>
        ) : undefined
      }
    >
      {message ? translate(message, { _: message }) : translate('ra.notification.http_error')}
    </Alert>
  );
}

/** How many records a list has, from the `X-Total-Count` of a one-row page; a link to the list. */
function CountCard({ resource, label, filter }: { resource: string; label: string; filter?: Record<string, unknown> }) {
  const translate = useTranslate();
  const { total, error, isPending } = useGetList(resource, { pagination: { page: 1, perPage: 1 }, sort: NO_SORT, filter }, { retry });
  return (
    <Card sx={{ minWidth: 200, flex: 1 }}>
      <CardActionArea component={Link} to={listPath(resource, filter)} aria-describedby={`count-${resource}`}>
        <CardContent>
          <Typography variant="subtitle1">{translate(label)}</Typography>
          <Typography id={`count-${resource}`} variant="h4" component="p" data-count={resource}>
            {isPending ? '…' : error ? '—' : String(total ?? 0)}
          </Typography>
        </CardContent>
      </CardActionArea>
      {/* Said in full (with the way to the account page) under today's appointments; here in brief. */}
      {error != null && (
        <Typography variant="caption" color="error" component="p" sx={{ px: 2, pb: 1 }}>
          {translate(error.message || 'ra.notification.http_error', { _: error.message })}
        </Typography>
      )}
    </Card>
  );
}

/** A count card, for the roles that have the list (access.ts). */
function Count(props: { resource: string; label: string; filter?: Record<string, unknown> }) {
  const { canAccess } = useCanAccess({ resource: props.resource, action: 'list' });
  return canAccess ? <CountCard {...props} /> : null;
}

/** The local day's appointments that the caller may see (the API decides which). */
function TodaysAppointments({ from, to }: { from: string; to: string }) {
  const translate = useTranslate();
  const { data, total, error, isPending } = useGetList<Appointment>(
    'appointments',
    {
      pagination: { page: 1, perPage: 100 },
      sort: NO_SORT,
      filter: { from, to },
    },
    { retry },
  );
  const time = (value: string) => new Date(value).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <Card component="section" aria-labelledby="dashboard-today">
      <CardContent>
        <Typography id="dashboard-today" variant="h6" component="h2" gutterBottom>
          {translate('hc.dashboard.today')}
        </Typography>
        {error != null && <Problem error={error} />}
        {!isPending && !error && data?.length === 0 && <Typography>{translate('hc.dashboard.none_today')}</Typography>}
        {data && data.length > 0 && (
          <Table size="small" aria-labelledby="dashboard-today">
            <TableHead>
              <TableRow>
                <TableCell>{translate('hc.dashboard.time')}</TableCell>
                <TableCell>{translate('hc.dashboard.patient')}</TableCell>
                <TableCell>{translate('hc.dashboard.doctor')}</TableCell>
                <TableCell>{translate('hc.dashboard.status')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.map((appointment) => (
                <TableRow key={appointment.id} data-appointment={appointment.id}>
                  <TableCell>
                    <Link to={`/appointments/${appointment.id}/show`}>
                      {time(appointment.appointment_datetime)}–{time(appointment.ends_at)}
                    </Link>
                  </TableCell>
                  <TableCell>{appointment.patient_details.name}</TableCell>
                  <TableCell>{appointment.doctor_details.name}</TableCell>
                  <TableCell>{translate(`hc.dashboard.statuses.${appointment.status}`, { _: appointment.status })}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {total != null && data != null && total > data.length && (
          <Typography variant="body2" sx={{ mt: 1 }}>
            <Link to={listPath('appointments', { from, to })}>{translate('hc.dashboard.all_today', { total })}</Link>
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}

/** The first page after signing in: today's appointments, and how many patients, doctors and upcoming appointments the caller has. */
export function Dashboard() {
  // Signed out, react-admin still mounts the dashboard while it goes to the login page: asking the
  // API then would answer 401s, each one more sign-out and redirect (a loop of them).
  return currentSession() ? <DashboardContent /> : null;
}

function DashboardContent() {
  const { canAccess: appointments } = useCanAccess({ resource: 'appointments', action: 'list' });
  // The local day, as instants: the API reads `from` and `to` as UTC unless they say otherwise.
  const { from, to, now } = useMemo(() => {
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    const end = new Date(start);
    end.setDate(end.getDate() + 1);
    return { from: start.toISOString(), to: end.toISOString(), now: new Date().toISOString() };
  }, []);
  return (
    <Stack spacing={2} sx={{ my: 2 }}>
      <Title title="hc.dashboard.title" />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        <Count resource="patients" label="hc.dashboard.patients" />
        <Count resource="doctors" label="hc.dashboard.doctors" />
        <Count resource="appointments" label="hc.dashboard.upcoming" filter={{ from: now, status: 'SCHEDULED' }} />
      </Stack>
      {appointments && <TodaysAppointments from={from} to={to} />}
    </Stack>
  );
}
