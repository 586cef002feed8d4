import { Button } from '@mui/material';
import { useNotify, useTranslate } from 'react-admin';

/** The record changed since the form opened (412): say so, and offer to load the current one. Other errors: their message. */
export function useStaleVersionNotice() {
  const notify = useNotify();
  const translate = useTranslate();
  return (error: unknown) => {
    const status = (error as { status?: number } | null)?.status;
    if (status !== 412) {
      notify((error as Error)?.message || 'ra.notification.http_error', { type: 'error' });
      return;
    }
    notify(
      <span role="alert">
        {translate('hc.errors.stale_version')}{' '}
        <Button color="inherit" size="small" onClick={() => window.location.reload()}>
          {translate('hc.actions.reload')}
        </Button>
      </span>,
      { type: 'error', autoHideDuration: null },
    );
  };
}
