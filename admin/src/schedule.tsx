import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import {
  Alert,
  Autocomplete,
  Box,
  Button,
  Card,
  CardContent,
  CircularProgress,
  IconButton,
  List as MuiList,
  ListItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Loading, Title, useGetOne, useNotify, useRecordContext, useTranslate } from 'react-admin';
import { api, ApiError, type Doctor, type Schemas } from './api';

type Schedule = Schemas['ScheduleDto'];
type PutSchedule = Schemas['PutScheduleDto'];
type Slot = Schemas['SlotDto'];

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;
/** The API's clock: HH:MM, 24:00 for midnight. */
const CLOCK = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const schedulePath = (id: string | number) => `/api/doctors/${encodeURIComponent(String(id))}/schedule/`;
const scheduleKey = (id: string | number) => ['doctors', String(id), 'schedule'];

/** A doctor's weekly schedule, or null when it has none (the API's 404: it accepts bookings at any time). */
function useSchedule(id: string | number | undefined) {
  return useQuery({
    queryKey: scheduleKey(id ?? ''),
    enabled: id !== undefined,
    retry: false,
    queryFn: async () => {
      try {
        return (await api<Schedule>(schedulePath(id!))).body;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/** Whether the browser knows `zone` as an IANA time zone (the API checks again). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The IANA zones the browser knows, for the time zone's suggestions. */
const TIME_ZONES: string[] = (() => {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
})();

/** The date (YYYY-MM-DD) it is now in `zone`. */
const todayIn = (zone: string | undefined) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** The local HH:MM of an instant in `zone`. */
const clockIn = (instant: string, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(instant));

/** The openings of one weekday, as "09:00–12:00, 13:00–17:00". */
function openingsOf(schedule: Schedule, weekday: number): string {
  return schedule.entries
    .filter((entry) => entry.weekday === weekday)
    .sort((a, b) => a.start.localeCompare(b.start))
    .map(({ start, end }) => `${start}–${end}`)
    .join(', ');
}

/**
 * On the doctor's page: the week's openings in their time zone, and the free slots of a day
 * (today in the doctor's time zone unless another is chosen).
 */
export function DoctorSchedulePanel() {
  const record = useRecordContext<Doctor>();
  const translate = useTranslate();
  const schedule = useSchedule(record?.id);
  if (!record || schedule.isPending) return null;
  if (schedule.isError) return <Alert severity="error">{schedule.error.message}</Alert>;
  const current = schedule.data;
  return (
    <CardContent component="section" aria-labelledby="hc-doctors-schedule-heading">
      <Typography variant="h6" component="h2" id="hc-doctors-schedule-heading">
        {translate('hc.doctors.schedule.title')}
      </Typography>
      {current ? (
        <>
          <Typography variant="body2" color="text.secondary">
            {translate('hc.doctors.schedule.summary', { zone: current.effective_timezone, minutes: current.slot_minutes })}
          </Typography>
          <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5, my: 1 }}>
            {WEEKDAYS.map((weekday) => (
              <Box key={weekday} sx={{ display: 'contents' }}>
                <Typography component="dt" variant="body2">
                  {translate(`hc.doctors.weekdays.${weekday}`)}
                </Typography>
                <Typography component="dd" variant="body2" sx={{ m: 0 }}>
                  {openingsOf(current, weekday) || translate('hc.doctors.schedule.closed')}
                </Typography>
              </Box>
            ))}
          </Box>
          <FreeSlots doctor={record.id} zone={current.effective_timezone} />
        </>
      ) : (
        <Typography variant="body2">{translate('hc.doctors.schedule.none')}</Typography>
      )}
    </CardContent>
  );
}

/** The free slots of one day, in the doctor's time zone. Display only: booking is the appointments' page. */
function FreeSlots({ doctor, zone }: { doctor: number; zone: string }) {
  const translate = useTranslate();
  const [chosen, setChosen] = useState<string>();
  const date = chosen ?? todayIn(zone);
  const valid = DATE.test(date);
  const slots = useQuery({
    queryKey: ['doctors', String(doctor), 'slots', date],
    enabled: valid,
    retry: false,
    queryFn: async () => (await api<Slot[]>(`/api/doctors/${doctor}/slots/?${new URLSearchParams({ date }).toString()}`)).body,
  });
  return (
    <Box component="section" aria-labelledby="hc-doctors-slots-heading" sx={{ mt: 2 }}>
      <Typography variant="subtitle1" component="h3" id="hc-doctors-slots-heading">
        {translate('hc.doctors.slots.title')}
      </Typography>
      <TextField
        type="date"
        label={translate('hc.doctors.slots.date')}
        value={date}
        onChange={(event) => setChosen(event.target.value)}
        helperText={translate('hc.doctors.slots.zone', { zone })}
        size="small"
        fullWidth={false}
        sx={{ my: 1, width: 240 }}
        slotProps={{ inputLabel: { shrink: true } }}
      />
      {slots.isPending && valid && <CircularProgress size={20} aria-label={translate('ra.page.loading')} />}
      {slots.isError && <Alert severity="error">{slots.error.message}</Alert>}
      {slots.data &&
        (slots.data.length === 0 ? (
          <Typography variant="body2">{translate('hc.doctors.slots.none')}</Typography>
        ) : (
          <MuiList dense aria-label={translate('hc.doctors.slots.list', { date })} sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
            {slots.data.map((slot) => (
              <ListItem key={slot.start} sx={{ width: 'auto', border: 1, borderColor: 'divider', borderRadius: 1 }}>
                {`${clockIn(slot.start, zone)}–${clockIn(slot.end, zone)}`}
              </ListItem>
            ))}
          </MuiList>
        ))}
    </Box>
  );
}

interface Opening {
  start: string;
  end: string;
}
type Week = Opening[][];

const emptyWeek = (): Week => WEEKDAYS.map(() => []);

function weekOf(schedule: Schedule | null): Week {
  const week = emptyWeek();
  for (const { weekday, start, end } of schedule?.entries ?? []) week[weekday]?.push({ start, end });
  for (const day of week) day.sort((a, b) => a.start.localeCompare(b.start));
  return week;
}

/** Field errors by the editor's own keys: `<weekday>.<n>.start`, `<weekday>.<n>`, `slot_minutes`, `timezone`, ... */
type Errors = Record<string, string>;

/** The week as the API's entries, with each entry's editor key (its index in `entries` is the API's). */
function entriesOf(week: Week): { entries: PutSchedule['entries']; keys: string[] } {
  const entries: PutSchedule['entries'] = [];
  const keys: string[] = [];
  week.forEach((day, weekday) =>
    day.forEach(({ start, end }, n) => {
      entries.push({ weekday, start, end });
      keys.push(`${weekday}.${n}`);
    }),
  );
  return { entries, keys };
}

/** The API's `errors` ({`entries.3.end`: [...]}) under the editor's keys. */
function editorErrors(fields: Record<string, string[]>, keys: string[]): Errors {
  const errors: Errors = {};
  for (const [field, messages] of Object.entries(fields)) {
    const entry = /^entries\.(\d+)(?:\.(\w+))?$/.exec(field);
    const key = entry ? [keys[Number(entry[1])] ?? 'entries', entry[2]].filter(Boolean).join('.') : field;
    errors[key] = [errors[key], ...messages].filter(Boolean).join(' ');
  }
  return errors;
}

/** The page at /doctors/:id/schedule: the week's openings, the slot length and the time zone, saved with PUT. */
export function DoctorScheduleEdit() {
  const { id } = useParams<'id'>();
  const doctor = useGetOne<Doctor>('doctors', { id: Number(id) }, { enabled: id !== undefined });
  const schedule = useSchedule(id);
  const translate = useTranslate();
  if (doctor.isPending || schedule.isPending) return <Loading />;
  if (doctor.isError || schedule.isError) return <Alert severity="error">{(doctor.error ?? schedule.error)?.message}</Alert>;
  return (
    <>
      <Title title={translate('hc.doctors.schedule.page_title', { name: doctor.data.name })} />
      {/* Keyed by version: a saved schedule starts the form again from what the API stored. */}
      <ScheduleForm key={schedule.data?.version ?? 0} doctor={doctor.data} schedule={schedule.data} />
    </>
  );
}

function ScheduleForm({ doctor, schedule }: { doctor: Doctor; schedule: Schedule | null }) {
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [week, setWeek] = useState<Week>(() => weekOf(schedule));
  const [slotMinutes, setSlotMinutes] = useState(String(schedule?.slot_minutes ?? 30));
  const [timezone, setTimezone] = useState(schedule?.timezone ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [problem, setProblem] = useState<string>();
  /** The opening just added, whose start takes the focus (keyboard users go on typing there). */
  const [added, setAdded] = useState<string>();

  const save = useMutation({
    mutationFn: async (body: PutSchedule) =>
      (await api<Schedule>(schedulePath(doctor.id), { method: 'PUT', body: JSON.stringify(body) })).body,
  });

  const dayName = (weekday: number) => translate(`hc.doctors.weekdays.${weekday}`);
  const change = (weekday: number, n: number, part: keyof Opening, value: string) =>
    setWeek((current) =>
      current.map((day, d) => (d !== weekday ? day : day.map((opening, i) => (i === n ? { ...opening, [part]: value } : opening)))),
    );
  const add = (weekday: number) => {
    setAdded(`${weekday}.${week[weekday].length}`);
    setWeek((current) =>
      current.map((day, d) => {
        if (d !== weekday) return day;
        // After the day's last opening (its end to fill in); a day's first one from 09:00 to 17:00.
        const last = day.at(-1);
        return [...day, last ? { start: last.end, end: '' } : { start: '09:00', end: '17:00' }];
      }),
    );
  };
  const remove = (weekday: number, n: number) => {
    setWeek((current) => current.map((day, d) => (d !== weekday ? day : day.filter((_, i) => i !== n))));
    setErrors({});
  };

  /** What the browser can tell before asking: the clock format, the slot length, a known zone. */
  function check(): Errors {
    const found: Errors = {};
    week.forEach((day, weekday) =>
      day.forEach(({ start, end }, n) => {
        if (!CLOCK.test(start)) found[`${weekday}.${n}.start`] = translate('hc.doctors.schedule.clock_format');
        if (!CLOCK.test(end)) found[`${weekday}.${n}.end`] = translate('hc.doctors.schedule.clock_format');
      }),
    );
    const minutes = Number(slotMinutes);
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 480) found.slot_minutes = translate('hc.doctors.schedule.slot_range');
    if (timezone.trim() !== '' && !isTimeZone(timezone.trim()))
      found.timezone = translate('hc.doctors.schedule.unknown_zone', { zone: timezone.trim() });
    return found;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    const found = check();
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const { entries, keys } = entriesOf(week);
    try {
      const saved = await save.mutateAsync({ entries, slot_minutes: Number(slotMinutes), timezone: timezone.trim() || null });
      queryClient.setQueryData(scheduleKey(doctor.id), saved);
      await queryClient.invalidateQueries({ queryKey: ['doctors', String(doctor.id), 'slots'] });
      notify('hc.doctors.schedule.saved', { type: 'success' });
      void navigate(`/doctors/${doctor.id}/show`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setErrors(editorErrors(error.problem.errors ?? {}, keys));
      setProblem(error.message);
    }
  }

  const zone = timezone.trim();
  const clinicZone = schedule && schedule.timezone == null ? schedule.effective_timezone : undefined;
  const zoneHelp =
    errors.timezone ??
    (zone !== ''
      ? translate('hc.doctors.schedule.zone_help')
      : doctor.clinic === null
        ? translate('hc.doctors.schedule.zone_required')
        : translate(clinicZone ? 'hc.doctors.schedule.zone_clinic_now' : 'hc.doctors.schedule.zone_clinic', { zone: clinicZone }));
  const stray = Object.entries(errors).filter(([key]) => !/^\d\.\d+(\.\w+)?$/.test(key) && key !== 'timezone' && key !== 'slot_minutes');

  return (
    <Card sx={{ mt: 2 }}>
      <CardContent
        component="form"
        noValidate
        onSubmit={(event) => void submit(event)}
        aria-label={translate('hc.doctors.schedule.page_title', { name: doctor.name })}
      >
        <Typography variant="h6" component="h1" gutterBottom>
          {translate('hc.doctors.schedule.page_title', { name: doctor.name })}
        </Typography>
        {problem && (
          <Alert severity="error" role="alert" sx={{ mb: 2 }}>
            {problem}
            {stray.map(([key, message]) => (
              <div key={key}>{`${key}: ${message}`}</div>
            ))}
          </Alert>
        )}
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2 }}>
          <Autocomplete
            freeSolo
            options={TIME_ZONES}
            inputValue={timezone}
            onInputChange={(_, value) => setTimezone(value)}
            sx={{ minWidth: 280 }}
            renderInput={(params) => (
              <TextField
                {...params}
                label={translate('hc.doctors.schedule.timezone')}
                error={Boolean(errors.timezone)}
                helperText={zoneHelp}
              />
            )}
          />
          <TextField
            type="number"
            label={translate('hc.doctors.schedule.slot_minutes')}
            value={slotMinutes}
            onChange={(event) => setSlotMinutes(event.target.value)}
            error={Boolean(errors.slot_minutes)}
            helperText={errors.slot_minutes ?? translate('hc.doctors.schedule.slot_help')}
            slotProps={{ htmlInput: { min: 5, max: 480, step: 5 } }}
          />
        </Stack>
        {WEEKDAYS.map((weekday) => (
          <Box
            key={weekday}
            role="group"
            aria-labelledby={`hc-weekday-${weekday}`}
            sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'flex-start', gap: 1, py: 1, borderTop: 1, borderColor: 'divider' }}
          >
            <Typography id={`hc-weekday-${weekday}`} sx={{ width: 110, pt: 1 }}>
              {dayName(weekday)}
            </Typography>
            {week[weekday].length === 0 && (
              <Typography color="text.secondary" sx={{ pt: 1 }}>
                {translate('hc.doctors.schedule.closed')}
              </Typography>
            )}
            {week[weekday].map((opening, n) => {
              const key = `${weekday}.${n}`;
              const label = (part: string) => translate(`hc.doctors.schedule.${part}_of`, { day: dayName(weekday), n: n + 1 });
              return (
                <Box key={key} sx={{ display: 'flex', alignItems: 'flex-start', gap: 0.5 }}>
                  {(['start', 'end'] as const).map((part) => (
                    <TextField
                      key={part}
                      autoFocus={part === 'start' && key === added}
                      size="small"
                      label={translate(`hc.doctors.schedule.${part}`)}
                      placeholder="HH:MM"
                      value={opening[part]}
                      onChange={(event) => change(weekday, n, part, event.target.value)}
                      error={Boolean(errors[`${key}.${part}`] ?? errors[key])}
                      helperText={errors[`${key}.${part}`] ?? (part === 'end' ? errors[key] : undefined)}
                      sx={{ width: 110 }}
                      slotProps={{ htmlInput: { 'aria-label': label(part), inputMode: 'numeric', maxLength: 5 } }}
                    />
                  ))}
                  <IconButton aria-label={label('remove')} title={label('remove')} onClick={() => remove(weekday, n)}>
                    <DeleteIcon />
                  </IconButton>
                </Box>
              );
            })}
            <Button
              size="small"
              startIcon={<AddIcon />}
              onClick={() => add(weekday)}
              aria-label={translate('hc.doctors.schedule.add_on', { day: dayName(weekday) })}
              sx={{ mt: 0.5 }}
            >
              {translate('hc.doctors.schedule.add')}
            </Button>
          </Box>
        ))}
        <Stack direction="row" spacing={2} sx={{ mt: 2 }}>
          <Button type="submit" variant="contained" disabled={save.isPending}>
            {translate('ra.action.save')}
          </Button>
          <Button component={Link} to={`/doctors/${doctor.id}/show`}>
            {translate('ra.action.cancel')}
          </Button>
        </Stack>
      </CardContent>
    </Card>
  );
}
