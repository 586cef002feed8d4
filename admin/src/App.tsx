import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { AccountPage } from './account';
import { authProvider } from './authProvider';
import { Dashboard } from './dashboard';
import { dataProvider } from './dataProvider';
import { DoctorList, DoctorShow } from './doctors';
import { i18nProvider } from './i18n';
import { ConsoleLayout } from './layout';
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
        dashboard={Dashboard}
        layout={ConsoleLayout}
        disableTelemetry
      >
        <Resource name="patients" list={PatientList} show={PatientShow} create={PatientCreate} edit={PatientEdit} />
        <Resource name="doctors" list={DoctorList} show={DoctorShow} />
        <CustomRoutes>
          <Route path="/account" element={<AccountPage />} />
        </CustomRoutes>
      </Admin>
    </BrowserRouter>
  );
}
