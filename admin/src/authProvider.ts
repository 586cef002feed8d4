import type { AuthProvider } from 'react-admin';
import { ApiError, currentSession, login, loginWithCode, logout } from './api';

/** What the login page sends: a name (username or email) and password, or the MFA step's code. */
export type LoginParams = { username: string; password: string } | { mfaToken: string; code: string };

/**
 * react-admin goes to the login page on it, and shows its message. (With `message: false`, no
 * message, react-admin 5.15 went on redirecting to the login page for seconds, hundreds of times.)
 */
const notSignedIn = () => new Error('ra.auth.auth_check_error');

export const authProvider: AuthProvider = {
  async login(params: LoginParams) {
    if ('mfaToken' in params) await loginWithCode(params.mfaToken, params.code);
    else await login(params.username, params.password);
  },
  logout: () => logout(),
  checkAuth: () => (currentSession() ? Promise.resolve() : Promise.reject(notSignedIn())),
  async checkError(error: { status?: number }) {
    // A 401 left after the data provider's refresh: the session is over. A 403 is the server
    // deciding access: the page says so, the session goes on.
    if (error?.status === 401) {
      await logout();
      throw new Error('Session ended');
    }
  },
  getIdentity() {
    const user = currentSession()?.user;
    if (!user) return Promise.reject(new ApiError(401, { detail: 'Not signed in' }));
    return Promise.resolve({ id: user.id, fullName: user.name || user.username });
  },
  getPermissions: () => Promise.resolve(currentSession()?.user.role),
};
