import type { AuthProvider } from 'react-admin';
import { canAccess } from './access';
import { api, ApiError, currentSession, login, loginWithCode, logout, type Account, type Schemas } from './api';

/** What the login page sends: a name (username or email) and password, or the MFA step's code. */
export type LoginParams = { username: string; password: string } | { mfaToken: string; code: string };

/**
 * react-admin goes to the login page on it, and shows its message. (With `message: false`, no
 * message, react-admin 5.15 went on redirecting to the login page for seconds, hundreds of times.)
 */
const notSignedIn = () => new Error('ra.auth.auth_check_error');

/**
 * Whether the signed-in account has two-factor authentication on, as this tab last learnt it: the
 * API's account has no such field, but the login tells it (a code was asked or not), and so do
 * the account page's setup and turning off. Another session may change it meanwhile: the API's
 * 409 then says so, and the account page corrects it. Kept beside the session, never a secret.
 */
const TWO_FACTOR_KEY = 'healthcare.console.two-factor';

export const twoFactor = {
  isOn(): boolean | undefined {
    const user = currentSession()?.user;
    const stored = sessionStorage.getItem(TWO_FACTOR_KEY);
    if (!user || !stored) return undefined;
    const [id, on] = stored.split(':');
    return id === String(user.id) ? on === 'on' : undefined;
  },
  set(on: boolean): void {
    const user = currentSession()?.user;
    if (user) sessionStorage.setItem(TWO_FACTOR_KEY, `${user.id}:${on ? 'on' : 'off'}`);
  },
};

export const authProvider: AuthProvider = {
  async login(params: LoginParams) {
    if ('mfaToken' in params) await loginWithCode(params.mfaToken, params.code);
    else await login(params.username, params.password);
    twoFactor.set('mfaToken' in params);
  },
  async logout() {
    sessionStorage.removeItem(TWO_FACTOR_KEY);
    await logout();
  },
  checkAuth: () => (currentSession() ? Promise.resolve() : Promise.reject(notSignedIn())),
  async checkError(error: { status?: number }) {
    // A 401 left after the data provider's refresh: the session is over. A 403 is the server
    // deciding access: the page says so, the session goes on.
    if (error?.status === 401) {
      await logout();
      throw new Error('Session ended');
    }
  },
  async getIdentity() {
    const user = currentSession()?.user;
    if (!user) throw new ApiError(401, { detail: 'Not signed in' });
    // The account as it is now (the account page changes its name); the login's copy if the API cannot say.
    const current: Account = await api<Schemas['UserDto']>('/api/auth/me/').then(
      ({ body }) => body,
      () => user,
    );
    return { id: current.id, fullName: current.name || current.username };
  },
  getPermissions: () => Promise.resolve(currentSession()?.user.role),
  // The menu and the pages by role (access.ts); the API still decides every request.
  canAccess: ({ resource }) => Promise.resolve(canAccess(currentSession()?.user.role as Schemas['Role'] | undefined, resource)),
};
