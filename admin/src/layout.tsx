import AccountCircleIcon from '@mui/icons-material/AccountCircle';
import type { ReactNode } from 'react';
import { Layout, Menu } from 'react-admin';
import { DayViewMenuItem } from './dayView';

/** The side menu: the dashboard, the lists the role may use (access.ts), the day view and the caller's own account. */
const ConsoleMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <Menu.ResourceItems />
    <DayViewMenuItem />
    <Menu.Item to="/account" primaryText="hc.account.menu" leftIcon={<AccountCircleIcon />} />
  </Menu>
);

export const ConsoleLayout = ({ children }: { children: ReactNode }) => <Layout menu={ConsoleMenu}>{children}</Layout>;
