import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="empty">
      <strong>Page not found</strong>
      <div className="muted">
        <Link href="/models">Back to models</Link>
      </div>
    </div>
  );
}
