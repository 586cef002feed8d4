export enum AppointmentStatus {
  Scheduled = 'SCHEDULED',
  CheckedIn = 'CHECKED_IN',
  Completed = 'COMPLETED',
  Cancelled = 'CANCELLED',
  NoShow = 'NO_SHOW',
}

export const APPOINTMENT_STATUSES = Object.values(AppointmentStatus);

/** Statuses that hold the doctor's and the patient's time; the overlap constraints cover only these. */
export const ACTIVE_STATUSES = [AppointmentStatus.Scheduled, AppointmentStatus.CheckedIn];

/** Status moves only forward. */
const NEXT: Record<AppointmentStatus, AppointmentStatus[]> = {
  [AppointmentStatus.Scheduled]: [
    AppointmentStatus.CheckedIn,
    AppointmentStatus.Completed,
    AppointmentStatus.Cancelled,
    AppointmentStatus.NoShow,
  ],
  [AppointmentStatus.CheckedIn]: [AppointmentStatus.Completed, AppointmentStatus.Cancelled],
  [AppointmentStatus.Completed]: [],
  [AppointmentStatus.Cancelled]: [],
  [AppointmentStatus.NoShow]: [],
};

export const canMove = (from: AppointmentStatus, to: AppointmentStatus) => NEXT[from].includes(to);
export const isFinal = (status: AppointmentStatus) => NEXT[status].length === 0;

/** Outcomes only the treating doctor (or an admin) may record. */
export const CLINICIAN_ONLY = [AppointmentStatus.Completed, AppointmentStatus.NoShow];
