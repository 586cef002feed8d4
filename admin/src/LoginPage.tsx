import { Box, Button, CardContent, TextField } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Login, useLogin, useNotify, useTranslate } from 'react-admin';
import { ApiError, MfaRequired } from './api';
import type { LoginParams } from './authProvider';

/** Name (username or email) and password; then, for an account with two factors, its code. */
export function LoginPage() {
  const login = useLogin();
  const notify = useNotify();
  const translate = useTranslate();
  const [mfaToken, setMfaToken] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : '';
    };
    const params: LoginParams = mfaToken ? { mfaToken, code: field('code') } : { username: field('username'), password: field('password') };
    setBusy(true);
    try {
      await login(params);
    } catch (error) {
      if (error instanceof MfaRequired) setMfaToken(error.mfaToken);
      else notify('hc.login.failed', { type: 'error', messageArgs: { detail: error instanceof ApiError ? error.message : String(error) } });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Login>
      <Box component="form" onSubmit={(event) => void submit(event)} aria-label={translate('hc.login.sign_in')}>
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, minWidth: 280 }}>
          {mfaToken ? (
            <TextField
              name="code"
              label={translate('hc.login.code')}
              helperText={translate('hc.login.code_help')}
              autoComplete="one-time-code"
              inputMode="numeric"
              required
              autoFocus
            />
          ) : (
            <>
              <TextField name="username" label={translate('hc.login.identifier')} autoComplete="username" required autoFocus />
              <TextField name="password" type="password" label={translate('hc.login.password')} autoComplete="current-password" required />
            </>
          )}
          <Button type="submit" variant="contained" disabled={busy}>
            {translate(mfaToken ? 'hc.login.verify' : 'hc.login.sign_in')}
          </Button>
        </CardContent>
      </Box>
    </Login>
  );
}
