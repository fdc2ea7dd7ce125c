import { Link } from 'wouter';

export function NotFoundPage() {
  return (
    <section className="state empty">
      <h1>Page not found</h1>
      <p>
        This address is not a page of the app. <Link href="/">Go to your projects</Link>.
      </p>
    </section>
  );
}
