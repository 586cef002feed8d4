import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { AccountCreate, AccountEdit, AccountList, AccountShow } from './accounts';
import { AuditEventList } from './audit';
import { authProvider } from './authProvider';
import { ClinicCreate, ClinicEdit, ClinicInvitation, ClinicList, ClinicShow } from './clinics';
import { dataProvider } from './dataProvider';
import { DoctorList, DoctorShow } from './doctors';
import { i18nProvider } from './i18n';
import { LoginPage } from './LoginPage';
import { PatientCreate, PatientEdit, PatientList, PatientShow } from './patients';

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
        <Resource name="doctors" list={DoctorList} show={DoctorShow} />
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
          <Route path="/clinic-invitation" element={<ClinicInvitation />} />
        </CustomRoutes>
      </Admin>
    </BrowserRouter>
  );
}
