import { ListItemText, MenuItem } from '@mui/material';
import type { ReactNode } from 'react';
import { AppBar, Layout, Logout, UserMenu, useTranslate, useUserMenu } from 'react-admin';
import { Link } from 'react-router-dom';

/** The user menu's link to the caller's own account page. */
function MyAccountItem() {
  const translate = useTranslate();
  const userMenu = useUserMenu();
  return (
    <MenuItem component={Link} to="/account" onClick={() => userMenu?.onClose()}>
      <ListItemText>{translate('hc.account.menu')}</ListItemText>
    </MenuItem>
  );
}

const AccountUserMenu = () => (
  <UserMenu>
    <MyAccountItem />
    <Logout />
  </UserMenu>
);

const ConsoleAppBar = () => <AppBar userMenu={<AccountUserMenu />} />;

/** react-admin's layout with a user menu that opens the account page as well as signing out. */
export const ConsoleLayout = ({ children }: { children: ReactNode }) => <Layout appBar={ConsoleAppBar}>{children}</Layout>;
