import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { AccountPage } from './account';
import { AccountCreate, AccountEdit, AccountList, AccountShow } from './accounts';
import { AppointmentCreate, AppointmentEdit, AppointmentList, AppointmentShow } from './appointments';
import { AssignmentCreate, AssignmentList } from './assignments';
import { AuditEventList } from './audit';
import { authProvider } from './authProvider';
import { ClinicCreate, ClinicEdit, ClinicInvitation, ClinicList, ClinicShow } from './clinics';
import { Dashboard } from './dashboard';
import { dataProvider } from './dataProvider';
import { DayView } from './dayView';
import { DoctorCreate, DoctorEdit, DoctorList, DoctorShow } from './doctors';
import { i18nProvider } from './i18n';
import { ConsoleLayout } from './layout';
import { LoginPage } from './LoginPage';
import { PatientCreate, PatientEdit, PatientList, PatientShow } from './patients';
import { DoctorScheduleEdit } from './schedule';

/** The console, under /admin/ as the API serves it (index.html for every client-side route). */
export function App() {
  return (
    <BrowserRouter basename="/admin">
      <Admin
        title="hc.title"
        dataProvider={dataProvider}
        authProvider={authProvider}
        i18nProvider={i18nProvider}
        loginPage={LoginPage}
        dashboard={Dashboard}
        layout={ConsoleLayout}
        disableTelemetry
      >
        <Resource name="patients" list={PatientList} show={PatientShow} create={PatientCreate} edit={PatientEdit} />
        <Resource name="doctors" list={DoctorList} show={DoctorShow} create={DoctorCreate} edit={DoctorEdit}>
          <Route path=":id/schedule" element={<DoctorScheduleEdit />} />
        </Resource>
        <Resource name="assignments" list={AssignmentList} create={AssignmentCreate} />
        <Resource name="appointments" list={AppointmentList} show={AppointmentShow} create={AppointmentCreate} edit={AppointmentEdit} />
        <Resource name="clinics" list={ClinicList} show={ClinicShow} create={ClinicCreate} edit={ClinicEdit} />
        <Resource
          name="accounts"
          recordRepresentation="username"
          list={AccountList}
          show={AccountShow}
          create={AccountCreate}
          edit={AccountEdit}
        />
        <Resource name="audit-events" list={AuditEventList} />
        <CustomRoutes>
          <Route path="/day" element={<DayView />} />
          <Route path="/clinic-invitation" element={<ClinicInvitation />} />
          <Route path="/account" element={<AccountPage />} />
        </CustomRoutes>
      </Admin>
    </BrowserRouter>
  );
}
