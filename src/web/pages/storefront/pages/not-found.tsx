import { Link } from '../../shared/router.tsx';
import { useTitle } from '../components.tsx';

export function NotFound({ what = 'page' }: { what?: string }) {
  useTitle('Not found');
  return (
    <div class="empty-state" data-not-found="true">
      <h1 tabIndex={-1}>We could not find that {what}</h1>
      <p>
        The address may be mistyped, or the {what} was removed. Try the search box above, or go back to the <Link href="/">home page</Link>.
      </p>
    </div>
  );
}

export function Forbidden() {
  useTitle('Not allowed');
  return (
    <div class="empty-state">
      <h1 tabIndex={-1}>This page is for administrators</h1>
      <p>
        Your account cannot open it. <Link href="/">Back to the store</Link>.
      </p>
    </div>
  );
}
