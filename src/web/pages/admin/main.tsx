// The admin dashboard at /admin (the server sends this page only to admins; every number
// comes from the admin JSON API, refreshed every 2 s).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, setCsrfToken } from '../shared/api.ts';
import './admin.css';
import { DatabasePanel, SearchPanel, VectorsPanel } from './panels-data.tsx';
import { CachePanel, RequestsPanel, WritesPanel } from './panels-live.tsx';
import { ActivityPanel, SalesPanel } from './panels-reports.tsx';

function Dashboard() {
  const [who, setWho] = useState('');
  const [health, setHealth] = useState<{ pid: number; uptimeSeconds: number; version: string } | null>(null);
  useEffect(() => {
    get<{ user: { displayName: string } | null; csrfToken: string | null }>('/api/auth/session').then((s) => {
      setCsrfToken(s.csrfToken);
      setWho(s.user?.displayName ?? '');
    });
    get<{ pid: number; uptimeSeconds: number; version: string }>('/health').then(setHealth);
  }, []);
  return (
    <>
      <header class="admin-header">
        <div class="admin-header-inner">
          <h1>Chinook admin</h1>
          <span class="muted-light">{health ? `v${health.version} · worker pid ${health.pid} · up ${Math.round(health.uptimeSeconds / 60)} min` : ''}</span>
          <nav>
            <span class="muted-light">{who}</span>
            <a href="/">Store</a>
            <a href="/docs">API docs</a>
          </nav>
        </div>
      </header>
      <main class="admin-main" id="main">
        <RequestsPanel />
        <CachePanel />
        <WritesPanel />
        <DatabasePanel />
        <SearchPanel />
        <VectorsPanel />
        <SalesPanel />
        <ActivityPanel />
      </main>
    </>
  );
}

document.title = 'Chinook admin';
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<Dashboard />, root);
}
