import type { ReactNode } from 'react';
import { Layout, Menu } from 'react-admin';

/** The side menu: the dashboard, the lists the role may use (access.ts), and the caller's own account. */
const ConsoleMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <Menu.ResourceItems />
    <Menu.Item to="/account" primaryText="hc.account.menu" />
  </Menu>
);

export const ConsoleLayout = ({ children }: { children: ReactNode }) => <Layout menu={ConsoleMenu}>{children}</Layout>;
