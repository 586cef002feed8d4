import { Admin, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { authProvider } from './authProvider';
import { dataProvider } from './dataProvider';
import { DoctorCreate, DoctorEdit, DoctorList, DoctorShow } from './doctors';
import { i18nProvider } from './i18n';
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
        disableTelemetry
      >
        <Resource name="patients" list={PatientList} show={PatientShow} create={PatientCreate} edit={PatientEdit} />
        <Resource name="doctors" list={DoctorList} show={DoctorShow} create={DoctorCreate} edit={DoctorEdit}>
          <Route path=":id/schedule" element={<DoctorScheduleEdit />} />
        </Resource>
      </Admin>
    </BrowserRouter>
  );
}
