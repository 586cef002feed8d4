import TodayIcon from '@mui/icons-material/Today';
import { Alert, Box, Button, Card, CardContent, List as MuiList, ListItem, Stack, TextField, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Form,
  Menu,
  ResourceContextProvider,
  SelectField,
  Title,
  useCreate,
  useGetList,
  useLocaleState,
  useRefresh,
  useTranslate,
  RecordContextProvider,
} from 'react-admin';
import { useFormContext, useWatch } from 'react-hook-form';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type Schemas } from './api';
import { STATUS_CHOICES, type Appointment } from './appointments';
import { DoctorInput, PatientInput } from './assignments';

type Slot = Schemas['SlotDto'];
type Schedule = Schemas['ScheduleDto'];

/** The menu's entry for the day view. */
export const DayViewMenuItem = () => <Menu.Item to="/day" primaryText="hc.appointments.day.menu" leftIcon={<TodayIcon />} />;

/** `YYYY-MM-DD` of an instant in a time zone (the browser's when none). */
function dayIn(instant: Date, timeZone?: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const isDay = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);

/**
 * A doctor's day: its free slots (GET /api/doctors/{id}/slots/?date=) as buttons that book them
 * for the chosen patient, beside the day's appointments the caller may see. Times are shown in
 * the doctor's effective time zone (its schedule's). The doctor and the date are in the URL
 * (`?doctor=&date=`, or `?doctor=&at=` for the day of an instant), so the appointments link here.
 */
export function DayView() {
  const translate = useTranslate();
  const [params] = useSearchParams();
  const doctor = Number(params.get('doctor')) || undefined;
  // `at` (an instant, from an appointment) names the day in the browser's zone until the doctor's is known.
  const at = params.get('at') ? new Date(params.get('at')!) : new Date();
  const date = isDay(params.get('date')) ? params.get('date')! : dayIn(Number.isNaN(at.getTime()) ? new Date() : at);
  return (
    <ResourceContextProvider value="appointments">
      <Title title={translate('hc.appointments.day.title')} />
      <Card sx={{ mt: 2 }}>
        <CardContent>
          <Form defaultValues={{ doctor, date, patient: undefined }}>
            <DayPicker />
            <Day />
          </Form>
        </CardContent>
      </Card>
    </ResourceContextProvider>
  );
}

/** The doctor, the date (with the day before and after) and the patient to book for. */
function DayPicker() {
  const translate = useTranslate();
  const { setValue } = useFormContext();
  const date = useWatch({ name: 'date' }) as string | undefined;
  const step = (days: number) => isDay(date) && setValue('date', addDays(date, days), { shouldDirty: true });
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} useFlexGap sx={{ alignItems: { md: 'center' }, flexWrap: 'wrap' }}>
      <Box sx={{ minWidth: 280 }}>
        <DoctorInput label="hc.appointments.day.doctor" />
      </Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Button variant="outlined" size="small" onClick={() => step(-1)} aria-label={translate('hc.appointments.day.previous_day')}>
          ‹
        </Button>
        <DateField />
        <Button variant="outlined" size="small" onClick={() => step(1)} aria-label={translate('hc.appointments.day.next_day')}>
          ›
        </Button>
      </Stack>
      <Box sx={{ minWidth: 280 }}>
        <PatientInput label="hc.appointments.day.patient" />
      </Box>
    </Stack>
  );
}

/** The day, as a plain controlled field: the previous and next day buttons change it too. */
function DateField() {
  const translate = useTranslate();
  const { setValue } = useFormContext();
  const date = useWatch({ name: 'date' }) as string | undefined;
  return (
    <TextField
      type="date"
      size="small"
      label={translate('hc.appointments.day.date')}
      value={date ?? ''}
      onChange={(event) => isDay(event.target.value) && setValue('date', event.target.value, { shouldDirty: true })}
      slotProps={{ inputLabel: { shrink: true } }}
    />
  );
}

interface Outcome {
  severity: 'success' | 'error';
  message: string;
  appointment?: number;
}

/** The chosen doctor's day: the URL follows the choice, the lists follow the URL's doctor and date. */
function Day() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const refresh = useRefresh();
  const [params, setParams] = useSearchParams();
  const { setValue } = useFormContext();
  const at = useRef(params.get('at'));
  const [doctor, date, patient] = useWatch({ name: ['doctor', 'date', 'patient'] }) as [number | '' | null, string, number | '' | null];
  const [outcome, setOutcome] = useState<Outcome>();
  const [create, { isPending: booking }] = useCreate<Appointment>();

  useEffect(() => {
    const next = new URLSearchParams();
    if (doctor) next.set('doctor', String(doctor));
    if (isDay(date)) next.set('date', date);
    if (next.toString() !== params.toString()) setParams(next, { replace: true });
  }, [doctor, date, params, setParams]);
  useEffect(() => setOutcome(undefined), [doctor, date]);

  const ready = Boolean(doctor) && isDay(date);
  // Under the resource keys, so react-admin's refresh reloads them with the appointments.
  const schedule = useQuery({
    queryKey: ['doctors', 'schedule', doctor],
    queryFn: async () => (await api<Schedule>(`/api/doctors/${doctor}/schedule/`)).body,
    enabled: Boolean(doctor),
    retry: false,
  });
  const slots = useQuery({
    queryKey: ['doctors', 'slots', doctor, date],
    queryFn: async () => (await api<Slot[]>(`/api/doctors/${doctor}/slots/?date=${date}`)).body,
    enabled: ready && schedule.isSuccess,
    retry: false,
  });
  const zone = schedule.data?.effective_timezone;
  useEffect(() => {
    // The appointment's day is the one in the doctor's zone.
    if (!zone || !at.current) return;
    const instant = new Date(at.current);
    at.current = null;
    if (!Number.isNaN(instant.getTime())) setValue('date', dayIn(instant, zone));
  }, [zone, setValue]);
  // The local day spans at most ±14 h around its UTC day: the UTC days around it cover it.
  const appointments = useGetList<Appointment>(
    'appointments',
    {
      filter: { doctor, from: isDay(date) ? addDays(date, -1) : undefined, to: isDay(date) ? addDays(date, 1) : undefined },
      pagination: { page: 1, perPage: 100 },
    },
    { enabled: ready && Boolean(zone) },
  );
  const time = useMemo(
    () => new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    [locale, zone],
  );
  const ofTheDay = (appointments.data ?? []).filter((appointment) => dayIn(new Date(appointment.appointment_datetime), zone) === date);

  if (!doctor) return <Typography sx={{ mt: 2 }}>{translate('hc.appointments.day.choose_doctor')}</Typography>;
  if (schedule.error) {
    const status = (schedule.error as { status?: number }).status;
    return (
      <Alert severity="info" sx={{ mt: 2 }}>
        {status === 404 ? translate('hc.appointments.day.no_schedule') : schedule.error.message}
      </Alert>
    );
  }

  const book = (slot: Slot) => {
    const at = time.format(new Date(slot.start));
    if (!patient) {
      setOutcome({ severity: 'error', message: translate('hc.appointments.day.choose_patient') });
      return;
    }
    const duration = Math.round((Date.parse(slot.end) - Date.parse(slot.start)) / 60_000);
    void create(
      'appointments',
      { data: { doctor, patient, appointment_datetime: slot.start, duration_minutes: duration } },
      {
        onSuccess: (appointment) => {
          setOutcome({
            severity: 'success',
            message: translate('hc.appointments.day.booked', { time: at, patient: appointment.patient_details.name }),
            appointment: appointment.id,
          });
          refresh();
        },
        onError: (error) => {
          // A 409 (taken meanwhile), a 400 (outside the schedule now): the API's words, and the day as it is now.
          setOutcome({
            severity: 'error',
            message: translate('hc.appointments.day.booking_failed', { detail: (error as Error).message }),
          });
          refresh();
        },
      },
    );
  };

  return (
    <Box sx={{ mt: 2 }}>
      {zone ? (
        <Typography variant="body2" color="text.secondary" gutterBottom>
          {translate('hc.appointments.day.times_in_zone', { zone })}
        </Typography>
      ) : null}
      {outcome ? (
        <Alert severity={outcome.severity} role="alert" sx={{ mb: 2 }}>
          {outcome.message}{' '}
          {outcome.appointment ? (
            <Link to={`/appointments/${outcome.appointment}/show`}>{translate('hc.appointments.day.open_appointment')}</Link>
          ) : null}
        </Alert>
      ) : null}
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={4} sx={{ alignItems: 'flex-start' }}>
        <Box component="section" aria-labelledby="free-slots" sx={{ flex: 1 }}>
          <Typography id="free-slots" variant="h6" component="h2" gutterBottom>
            {translate('hc.appointments.day.free_slots')}
          </Typography>
          {slots.error ? <Alert severity="error">{slots.error.message}</Alert> : null}
          {slots.data?.length === 0 ? <Typography>{translate('hc.appointments.day.no_free_slots')}</Typography> : null}
          <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
            {slots.data?.map((slot) => {
              const at = time.format(new Date(slot.start));
              return (
                <Button
                  key={slot.start}
                  variant="outlined"
                  disabled={booking}
                  onClick={() => book(slot)}
                  aria-label={translate('hc.appointments.day.book_slot', { time: at })}
                >
                  {at}
                </Button>
              );
            })}
          </Stack>
        </Box>
        <Box component="section" aria-labelledby="day-appointments" sx={{ flex: 1 }}>
          <Typography id="day-appointments" variant="h6" component="h2" gutterBottom>
            {translate('hc.appointments.day.appointments')}
          </Typography>
          {appointments.error ? <Alert severity="error">{appointments.error.message}</Alert> : null}
          {appointments.data && ofTheDay.length === 0 ? <Typography>{translate('hc.appointments.day.no_appointments')}</Typography> : null}
          <MuiList dense aria-labelledby="day-appointments">
            {ofTheDay.map((appointment) => (
              <ListItem key={appointment.id} disableGutters>
                <RecordContextProvider value={appointment}>
                  <Link to={`/appointments/${appointment.id}/show`}>
                    {time.format(new Date(appointment.appointment_datetime))}–{time.format(new Date(appointment.ends_at))}{' '}
                    {appointment.patient_details.name}
                  </Link>
                  &nbsp;·&nbsp;
                  <SelectField source="status" choices={STATUS_CHOICES} />
                </RecordContextProvider>
              </ListItem>
            ))}
          </MuiList>
        </Box>
      </Stack>
    </Box>
  );
}
